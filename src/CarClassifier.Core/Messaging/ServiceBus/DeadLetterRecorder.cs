using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using CarClassifier.Core.Results;
using CarClassifier.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// Keeps the invariant for messages Service Bus dead-letters: every blob whose claim check sits in the work queue's
/// $DeadLetterQueue gets a Failed row of kind <see cref="PoisonedKind"/> with the dead-letter reason, unless an earlier
/// delivery already wrote the blob's real row, or the blob has been overwritten since the message's version (the newer
/// version's own message gives it its row; see <see cref="ResultStore.WriteIfCurrentAsync"/>). It peeks (never receives), so the messages stay where
/// <c>carclass poison list/replay</c> finds them; a replay that succeeds later overwrites the row. Peeking again after a
/// restart only rewrites the same rows.
/// <para>
/// Each scan peeks on from the newest sequence number it has seen, which is cheap, but Service Bus does not promise that
/// messages reach the dead-letter queue in sequence order: one dead-lettered by the service (max deliveries by lock
/// expiry, time-to-live) keeps the sequence number it had in the queue and can sort below a dead letter seen earlier.
/// So every <see cref="ServiceBusOptions.DeadLetterRescanSeconds"/> (and at start) a scan reads the whole dead-letter
/// queue again. That is safe because rows are idempotent; dead letters already handled in the previous full pass are
/// skipped without a table read, and a full pass is not every scan because peeks cost the namespace throttling credits
/// ("Throttling operations on Azure Service Bus": one per message peeked).
/// </para>
/// </summary>
public sealed class DeadLetterRecorder : BackgroundService
{
    /// <summary>ErrorKind of the row a blob gets when its message is dead-lettered: the storage queue's kind.</summary>
    public const string PoisonedKind = Classification.ImageClassifier.PoisonedKind;

    private const int PageSize = 100;

    private readonly ServiceBusClient _client;
    private readonly ResultStore _results;
    private readonly BlobServiceClient _blobs;
    private readonly ServiceBusOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DeadLetterRecorder> _logger;
    private long _nextSequenceNumber;
    private DateTimeOffset _lastFullScan = DateTimeOffset.MinValue;
    private HashSet<long> _handled = [];

    public DeadLetterRecorder(
        ServiceBusClient client, ResultStore results, BlobServiceClient blobs, IOptions<ServiceBusOptions> options, TimeProvider time, ILogger<DeadLetterRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _results = results;
        _blobs = blobs;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var deadLetters = _client.CreateReceiver(PipelineNames.WorkQueue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var interval = TimeSpan.FromSeconds(_options.DeadLetterScanSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(deadLetters, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is ServiceBusException or Azure.RequestFailedException or HttpRequestException or IOException)
            {
                _logger.LogWarning("Dead-letter scan failed ({Type}): {Message}; trying again in {Interval}", ex.GetType().Name, ex.Message.Split('\n')[0], interval);
            }

            try
            {
                await Task.Delay(interval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Records every dead letter whose blob still needs its row; returns how many rows it wrote. A full scan (the first,
    /// then one each <see cref="ServiceBusOptions.DeadLetterRescanSeconds"/>, or when <paramref name="full"/>) reads
    /// the whole dead-letter queue; the others read what sorts after the newest sequence number seen.
    /// </summary>
    public async Task<int> ScanAsync(ServiceBusReceiver deadLetters, CancellationToken cancellationToken = default, bool full = false)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        var now = _time.GetUtcNow();
        full |= now - _lastFullScan >= TimeSpan.FromSeconds(_options.DeadLetterRescanSeconds);
        var seen = full ? new HashSet<long>() : _handled;
        var written = 0;
        var from = full ? 0 : _nextSequenceNumber;
        while (true)
        {
            var page = await deadLetters.PeekMessagesAsync(PageSize, from, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) break;
            foreach (var message in page)
            {
                // Within one pass peek walks up the sequence numbers; the cursor only pages.
                from = Math.Max(from, message.SequenceNumber + 1);
                _nextSequenceNumber = Math.Max(_nextSequenceNumber, message.SequenceNumber + 1);
                if (_handled.Contains(message.SequenceNumber))
                {
                    seen.Add(message.SequenceNumber);
                    continue;
                }

                if (await RecordAsync(message, cancellationToken).ConfigureAwait(false)) written++;
                seen.Add(message.SequenceNumber);
            }
        }

        if (full)
        {
            // What left the dead-letter queue (replayed, removed) is forgotten; a sequence number is never reused.
            _handled = seen;
            _lastFullScan = now;
        }

        return written;
    }

    private async Task<bool> RecordAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken)
    {
        ClassifyRequest request;
        try
        {
            request = ClassifyRequest.Parse(message.Body.ToString());
        }
        catch (InvalidDataException)
        {
            return false; // Names no blob: there is no row to write (the consumer logged it when it dead-lettered it).
        }

        var path = ResultKeys.BlobPath(request.Container, request.BlobName);
        var current = CurrentBlobVersion.Of(_blobs, request.Container, request.BlobName, request.ETag);
        var reason = message.DeadLetterReason ?? "DeadLettered";
        var row = new ClassificationResult
        {
            BlobPath = path,
            BlobETag = request.ETag ?? await current(cancellationToken).ConfigureAwait(false),
            BlobSizeBytes = request.SizeBytes,
            Status = nameof(ClassificationStatus.Failed),
            ErrorKind = PoisonedKind,
            Error = string.IsNullOrWhiteSpace(message.DeadLetterErrorDescription)
                ? $"Service Bus dead-lettered the claim check ({reason}); replay it with `carclass poison replay`."
                : $"Service Bus dead-lettered the claim check ({reason}): {message.DeadLetterErrorDescription}",
            CorrelationId = request.CorrelationId,
            DequeueCount = message.DeliveryCount,
            ProcessedAt = _time.GetUtcNow(),
        };

        // Kept: a delivery finished the real row before the message died, or this one is already recorded.
        var written = await _results.WriteIfCurrentAsync(
            row,
            current,
            existing => ResultStore.SameBlobVersion(existing.BlobETag, row.BlobETag)
                && (existing.ErrorKind != PoisonedKind || existing.CorrelationId == request.CorrelationId),
            cancellationToken).ConfigureAwait(false);
        if (written != RowWrite.Written) return false;
        _logger.LogError("Failed {BlobPath}: {ErrorKind}: {Error} (correlation {CorrelationId})", path, PoisonedKind, row.Error, request.CorrelationId);
        return true;
    }
}
