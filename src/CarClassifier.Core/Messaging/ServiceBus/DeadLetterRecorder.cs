using Azure.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// Keeps the invariant for messages Service Bus dead-letters: every blob whose claim check sits in the work queue's
/// $DeadLetterQueue gets a Failed row of kind <see cref="PoisonedKind"/> with the dead-letter reason, unless an earlier
/// delivery already wrote the blob's real row. It peeks (never receives), so the messages stay where
/// <c>carclass poison list/replay</c> finds them; a replay that succeeds later overwrites the row. Peeking again after a
/// restart only rewrites the same rows.
/// </summary>
public sealed class DeadLetterRecorder : BackgroundService
{
    /// <summary>ErrorKind of the row a blob gets when its message is dead-lettered (the same kind the storage queue uses).</summary>
    public const string PoisonedKind = "Poisoned";

    private const int PageSize = 100;

    private readonly ServiceBusClient _client;
    private readonly ResultStore _results;
    private readonly ServiceBusOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DeadLetterRecorder> _logger;
    private long _nextSequenceNumber;

    public DeadLetterRecorder(ServiceBusClient client, ResultStore results, IOptions<ServiceBusOptions> options, TimeProvider time, ILogger<DeadLetterRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _results = results;
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

    /// <summary>Records every dead-letter message not seen yet; returns how many rows it wrote.</summary>
    public async Task<int> ScanAsync(ServiceBusReceiver deadLetters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        var written = 0;
        while (true)
        {
            var page = await deadLetters.PeekMessagesAsync(PageSize, _nextSequenceNumber, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) return written;
            foreach (var message in page)
            {
                if (await RecordAsync(message, cancellationToken).ConfigureAwait(false)) written++;
                _nextSequenceNumber = Math.Max(_nextSequenceNumber, message.SequenceNumber + 1);
            }
        }
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
        var existing = await _results.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (existing is not null && SameETag(existing.BlobETag, request.ETag)
            && (existing.ErrorKind != PoisonedKind || existing.CorrelationId == request.CorrelationId))
        {
            return false; // A delivery finished the real row before the message died, or this one is already recorded.
        }

        var reason = message.DeadLetterReason ?? "DeadLettered";
        var row = new ClassificationResult
        {
            BlobPath = path,
            BlobETag = request.ETag,
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
        await _results.UpsertAsync(row, cancellationToken).ConfigureAwait(false);
        _logger.LogError("Failed {BlobPath}: {ErrorKind}: {Error} (correlation {CorrelationId})", path, PoisonedKind, row.Error, request.CorrelationId);
        return true;
    }

    private static bool SameETag(string? a, string? b) => a is not null && b is not null && a.Trim('"') == b.Trim('"');
}
