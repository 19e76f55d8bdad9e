using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Ingest;
using CarClassifier.Core.Results;
using CarClassifier.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// Safety net for the WebJobs polling blob trigger, which can miss a blob uploaded while a container sweep is in
/// flight (ScanBlobScanLogHybridPollingStrategy only reports blobs modified at or after the newest LastModified it saw
/// in the previous sweep; a blob that commits with an older timestamp than a blob already listed is never reported
/// until a restart re-sweeps). Every <see cref="ReconcilerOptions.Interval"/> this lists the images container and
/// ingests any blob older than the grace period that has neither a row for its ETag nor a WebJobs blob receipt for
/// its ETag. A duplicate (the trigger fires after all) is harmless: rows are upserts keyed by blob path.
/// It also re-ingests, once, blobs stranded by a host that died mid-message (see <see cref="ReconcilerOptions.StuckAfter"/>).
/// </summary>
public sealed class BlobReconciler : BackgroundService
{
    /// <summary>Where the WebJobs SDK keeps its blob receipts: <c>blobreceipts/{host}/{function}/{etag}/{container}/{blob}</c>.</summary>
    internal const string HostsContainer = "azure-webjobs-hosts";

    internal const string ReceiptsPrefix = "blobreceipts/";

    private readonly BlobServiceClient _blobs;
    private readonly QueueClient _workQueue;
    private readonly ResultStore _results;
    private readonly ImageIngestor _ingestor;
    private readonly ReconcilerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BlobReconciler> _logger;

    // (blob path, ETag) pairs already known to have a row: skipped without a table read on later sweeps.
    private readonly HashSet<(string Path, string ETag)> _done = [];

    // Blobs with a receipt but no row: when this reconciler first noticed, and which it already re-ingested once.
    private readonly Dictionary<(string Path, string ETag), DateTimeOffset> _missingSince = [];
    private readonly HashSet<(string Path, string ETag)> _reingested = [];

    public BlobReconciler(
        BlobServiceClient blobs,
        StorageClientFactory storage,
        ResultStore results,
        ImageIngestor ingestor,
        IOptions<ReconcilerOptions> options,
        TimeProvider time,
        ILogger<BlobReconciler> logger)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(ingestor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _blobs = blobs;
        _workQueue = storage.CreateQueueClient(PipelineNames.WorkQueue);
        _results = results;
        _ingestor = ingestor;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        var delay = _options.Interval;
        string? lastFailure = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                await ReconcileAsync(stoppingToken).ConfigureAwait(false);
                if (lastFailure is not null) _logger.LogWarning("Reconciler: listing container {Container} works again", PipelineNames.ImagesContainer);
                lastFailure = null;
                delay = _options.Interval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ListingFailure.IsListingFailure(ex))
            {
                // Storage down, or a listing the service cannot produce (an emulator's 500 on a name XML cannot carry that
                // EmulatorListingPolicy could not repair): one line per distinct cause, then back off to 8 intervals. The
                // queue-triggered classification is not affected.
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.Interval.Ticks * 8));
                var cause = ListingFailure.Describe(ex);
                if (cause != lastFailure)
                {
                    _logger.LogWarning("Reconciler: listing container {Container} failed: {Cause}; retrying every {Delay} at most", PipelineNames.ImagesContainer, cause, delay);
                }
                else
                {
                    _logger.LogDebug(ex, "Reconciler sweep failed again; next try in {Delay}", delay);
                }

                lastFailure = cause;
            }
        }
    }

    /// <summary>One sweep. Returns how many blobs it ingested.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var receipts = await ReadReceiptsAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var cutoff = now - _options.GracePeriod;

        // Peek sees only visible messages: none means no backlog waits, so a receipt without a row is not just queued.
        bool? backlogVisible = null;
        var container = _blobs.GetBlobContainerClient(PipelineNames.ImagesContainer);
        int ingested = 0, checkedCount = 0;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, cancellationToken).ConfigureAwait(false))
        {
            var properties = blob.Properties;
            if (properties.LastModified is not { } modified || modified > cutoff) continue;
            var etag = properties.ETag?.ToString() ?? string.Empty;
            var path = ResultKeys.BlobPath(PipelineNames.ImagesContainer, blob.Name);
            if (_done.Contains((path, etag))) continue;
            checkedCount++;

            var row = await _results.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (row is not null && SameETag(row.BlobETag, etag))
            {
                _done.Add((path, etag));
                _missingSince.Remove((path, etag));
                continue;
            }

            // A receipt means the trigger saw this version: its message is queued, in flight, or poisoned. Only a
            // message stranded by a dead host (no visible backlog, no row for StuckAfter) is worth a second message.
            if (receipts.Contains((Unquote(etag), path)))
            {
                if (_reingested.Contains((path, etag))) continue;
                if (!_missingSince.TryGetValue((path, etag), out var since))
                {
                    _missingSince[(path, etag)] = now;
                    continue;
                }

                if (now - since < _options.StuckAfter) continue;
                backlogVisible ??= (await _workQueue.PeekMessagesAsync(1, cancellationToken).ConfigureAwait(false)).Value.Length > 0;
                if (backlogVisible.Value) continue;
                _logger.LogWarning(
                    "Reconciler: {BlobPath} ({ETag}) was taken by the trigger but has no row after {StuckAfter} with no queue backlog " +
                    "(its message is probably held by a host that died); ingesting it once more",
                    path, etag, _options.StuckAfter);
                _reingested.Add((path, etag));
                _missingSince.Remove((path, etag));
                await _ingestor.IngestAsync(PipelineNames.ImagesContainer, blob.Name, etag, properties.ContentLength ?? 0, cancellationToken).ConfigureAwait(false);
                ingested++;
                continue;
            }

            _logger.LogWarning(
                "Reconciler: {BlobPath} ({ETag}, modified {LastModified:O}) has no row and no blob receipt; ingesting it",
                path, etag, modified);
            await _ingestor.IngestAsync(PipelineNames.ImagesContainer, blob.Name, etag, properties.ContentLength ?? 0, cancellationToken).ConfigureAwait(false);
            ingested++;
        }

        _logger.LogDebug("Reconciler sweep: {Checked} blobs checked, {Ingested} ingested", checkedCount, ingested);
        return ingested;
    }

    private async Task<HashSet<(string ETag, string Path)>> ReadReceiptsAsync(CancellationToken cancellationToken)
    {
        var receipts = new HashSet<(string, string)>();
        var hosts = _blobs.GetBlobContainerClient(HostsContainer);
        try
        {
            await foreach (var item in hosts.GetBlobsAsync(BlobTraits.None, BlobStates.None, ReceiptsPrefix, cancellationToken).ConfigureAwait(false))
            {
                if (TryParseReceipt(item.Name, out var etag, out var path)) receipts.Add((etag, path));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No receipts yet (the host has not triggered on anything).
        }

        return receipts;
    }

    /// <summary>Splits <c>blobreceipts/{host}/{function}/{etag}/{container}/{blob name}</c>; the blob name may hold '/'.</summary>
    internal static bool TryParseReceipt(string name, out string etag, out string blobPath)
    {
        etag = blobPath = string.Empty;
        if (!name.StartsWith(ReceiptsPrefix, StringComparison.Ordinal)) return false;
        var parts = name[ReceiptsPrefix.Length..].Split('/', 4);
        if (parts.Length < 4 || !parts[3].Contains('/', StringComparison.Ordinal)) return false;
        etag = Unquote(parts[2]);
        blobPath = parts[3];
        return true;
    }

    private static bool SameETag(string? a, string b) => a is not null && Unquote(a) == Unquote(b);

    private static string Unquote(string etag) => etag.Trim('"');
}
