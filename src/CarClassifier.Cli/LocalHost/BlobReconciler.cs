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
/// ingests a blob only when the trigger has truly missed it: no WebJobs blob receipt for its ETag and no row, modified
/// more than <see cref="ReconcilerOptions.GracePeriod"/> ago, seen that way by this reconciler for a grace period too,
/// and the trigger made no progress (no new receipt) since the previous sweep, so it is not half-way through a
/// backlog (a host started on 900 waiting photos takes minutes to write their receipts; the old rule, grace by
/// LastModified alone, raced it on every one of them and logged a warning each). What it ingests it claims the way an
/// uploader does (<see cref="UploadClaims"/>: receipt first, then the claim check), so the trigger skips it afterwards
/// and no blob gets two claim checks. It also re-ingests, once, blobs stranded by a host that died mid-message (see
/// <see cref="ReconcilerOptions.StuckAfter"/>). One summary line per sweep that did something, not a line per blob.
/// </summary>
public sealed class BlobReconciler : BackgroundService
{
    private readonly BlobServiceClient _blobs;
    private readonly QueueClient _workQueue;
    private readonly ResultStore _results;
    private readonly ImageIngestor _ingestor;
    private readonly UploadClaims _claims;
    private readonly ReconcilerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BlobReconciler> _logger;

    // (blob path, ETag) pairs already known to have a row: skipped without a table read on later sweeps.
    private readonly HashSet<(string Path, string ETag)> _done = [];

    // Blobs with a receipt but no row: when this reconciler first noticed, and which it already re-ingested once.
    private readonly Dictionary<(string Path, string ETag), DateTimeOffset> _missingSince = [];
    private readonly HashSet<(string Path, string ETag)> _reingested = [];

    // Blobs without a receipt or a row: when this reconciler first saw them so (the trigger's grace runs from then).
    private readonly Dictionary<(string Path, string ETag), DateTimeOffset> _unclaimedSince = [];

    // Completed receipts in the previous sweep: the trigger is still working through a backlog while this grows.
    private int? _lastCompletedReceipts;

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
        _claims = new UploadClaims(ingestor, blobs);
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

    /// <summary>One sweep. Returns how many blobs it ingested (missed by the trigger, or stranded).</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var (receipts, completed) = await ReadReceiptsAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var grace = _options.GracePeriod;
        var cutoff = now - grace;

        // No new completed receipt since the last sweep: the trigger is not in the middle of a backlog. With no grace
        // configured (tests, or a user who wants it) the reconciler does not wait for the trigger at all.
        var triggerQuiet = grace <= TimeSpan.Zero || _lastCompletedReceipts == completed;
        _lastCompletedReceipts = completed;

        // Peek sees only visible messages: none means no backlog waits, so a receipt without a row is not just queued.
        bool? backlogVisible = null;
        var container = _blobs.GetBlobContainerClient(PipelineNames.ImagesContainer);
        int listed = 0, waiting = 0, missed = 0, stranded = 0;
        var seen = new HashSet<(string, string)>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, cancellationToken).ConfigureAwait(false))
        {
            listed++;
            var properties = blob.Properties;
            var etag = properties.ETag?.ToString() ?? string.Empty;
            var path = ResultKeys.BlobPath(PipelineNames.ImagesContainer, blob.Name);
            if (_done.Contains((path, etag))) continue;
            if (properties.LastModified is not { } modified || modified > cutoff)
            {
                waiting++;
                continue;
            }

            // A receipt means the trigger (or an uploader) took this version: its message is queued, in flight, or
            // poisoned. Only a message stranded by a dead host (no visible backlog, no row for StuckAfter) is worth a
            // second message; until then no table read is spent on it.
            if (receipts.Contains((Unquote(etag), path)))
            {
                _unclaimedSince.Remove((path, etag));
                if (_reingested.Contains((path, etag))) continue;
                if (!_missingSince.TryGetValue((path, etag), out var since))
                {
                    _missingSince[(path, etag)] = now;
                    continue;
                }

                if (now - since < _options.StuckAfter) continue;
                if (await HasRowAsync(path, etag, cancellationToken).ConfigureAwait(false)) continue;
                backlogVisible ??= (await _workQueue.PeekMessagesAsync(1, cancellationToken).ConfigureAwait(false)).Value.Length > 0;
                if (backlogVisible.Value) continue;
                _logger.LogDebug("Reconciler: {BlobPath} ({ETag}) was taken but has no row after {StuckAfter} with no queue backlog; ingesting it once more", path, etag, _options.StuckAfter);
                _reingested.Add((path, etag));
                _missingSince.Remove((path, etag));
                await _ingestor.IngestAsync(PipelineNames.ImagesContainer, blob.Name, etag, properties.ContentLength ?? 0, cancellationToken).ConfigureAwait(false);
                stranded++;
                continue;
            }

            // No receipt: give the trigger its grace from when this reconciler first saw the blob so, and leave it
            // alone while the trigger is still writing receipts.
            seen.Add((path, etag));
            if (!_unclaimedSince.TryGetValue((path, etag), out var unclaimedSince)) _unclaimedSince[(path, etag)] = unclaimedSince = now;
            if (now - unclaimedSince < grace || !triggerQuiet)
            {
                waiting++;
                continue;
            }

            if (await HasRowAsync(path, etag, cancellationToken).ConfigureAwait(false))
            {
                _unclaimedSince.Remove((path, etag));
                continue;
            }

            _logger.LogDebug("Reconciler: {BlobPath} ({ETag}, modified {LastModified:O}) has no row and no blob receipt; ingesting it", path, etag, modified);
            _unclaimedSince.Remove((path, etag));
            if (await _claims.ClaimAsync(PipelineNames.ImagesContainer, blob.Name, etag, properties.ContentLength ?? 0, cancellationToken).ConfigureAwait(false)) missed++;
        }

        // Deleted or overwritten blobs leave the waiting list.
        foreach (var key in _unclaimedSince.Keys.Where(k => !seen.Contains(k)).ToList()) _unclaimedSince.Remove(key);

        if (missed + stranded > 0)
        {
            _logger.LogInformation(
                "Reconciler sweep: {Listed} blobs listed; ingested {Missed} the blob trigger missed and {Stranded} stranded by a stopped host; {Waiting} left to the trigger for now",
                listed, missed, stranded, waiting);
        }
        else
        {
            _logger.LogDebug("Reconciler sweep: {Listed} blobs listed, nothing missed; {Waiting} left to the trigger for now", listed, waiting);
        }

        return missed + stranded;
    }

    private async Task<bool> HasRowAsync(string path, string etag, CancellationToken cancellationToken)
    {
        var row = await _results.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (row is null || !SameETag(row.BlobETag, etag)) return false;
        _done.Add((path, etag));
        _missingSince.Remove((path, etag));
        return true;
    }

    /// <summary>Every receipt (ETag, blob path), and how many of them are complete (the trigger's progress).</summary>
    private async Task<(HashSet<(string ETag, string Path)> Receipts, int Completed)> ReadReceiptsAsync(CancellationToken cancellationToken)
    {
        var receipts = new HashSet<(string, string)>();
        var completed = 0;
        var hosts = _blobs.GetBlobContainerClient(UploadClaims.HostsContainer);
        try
        {
            await foreach (var item in hosts.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, UploadClaims.ReceiptsPrefix, cancellationToken).ConfigureAwait(false))
            {
                if (!TryParseReceipt(item.Name, out var etag, out var path)) continue;
                receipts.Add((etag, path));
                if (item.Metadata is null || !item.Metadata.ContainsKey("Incomplete")) completed++;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No receipts yet (the host has not triggered on anything).
        }

        return (receipts, completed);
    }

    /// <summary>Splits <c>blobreceipts/{host}/{function}/{etag}/{container}/{blob name}</c>; the blob name may hold '/'.</summary>
    internal static bool TryParseReceipt(string name, out string etag, out string blobPath)
    {
        etag = blobPath = string.Empty;
        if (!name.StartsWith(UploadClaims.ReceiptsPrefix, StringComparison.Ordinal)) return false;
        var parts = name[UploadClaims.ReceiptsPrefix.Length..].Split('/', 4);
        if (parts.Length < 4 || !parts[3].Contains('/', StringComparison.Ordinal)) return false;
        etag = Unquote(parts[2]);
        blobPath = parts[3];
        return true;
    }

    private static bool SameETag(string? a, string b) => a is not null && Unquote(a) == Unquote(b);

    private static string Unquote(string etag) => etag.Trim('"');
}
