using Azure.Storage.Blobs;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using CarClassifier.Core.Storage;
using CarClassifier.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Ingest;

/// <summary>
/// What the blob trigger does with a new blob: reject what can be judged from its properties alone
/// (a Failed row, no message), and enqueue a claim check for everything else.
/// Cheap on purpose: the ingest side never downloads image bytes.
/// </summary>
public class ImageIngestor
{
    private readonly WorkQueue _queue;
    private readonly ResultStore _results;
    private readonly BlobServiceClient _blobs;
    private readonly ClassifierOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ImageIngestor> _logger;
    private readonly ModelRuntime? _model;

    public ImageIngestor(
        WorkQueue queue,
        ResultStore results,
        BlobServiceClient blobs,
        IOptions<ClassifierOptions> options,
        TimeProvider time,
        ILogger<ImageIngestor> logger,
        ModelRuntime? model = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _queue = queue;
        _results = results;
        _blobs = blobs;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _model = model;
    }

    /// <summary>For mocking frameworks only.</summary>
    protected ImageIngestor()
    {
        _queue = null!;
        _results = null!;
        _blobs = null!;
        _options = null!;
        _time = null!;
        _logger = null!;
    }

    /// <summary>
    /// Ingests the blob a trigger handed over (both hosts' blob triggers call this). A blob version that already has
    /// its row (same ETag, and the same model when this process knows it) is not enqueued again: the local trigger
    /// re-reports, at every host start, blobs the reconciler ingested (they have no blob receipt), and a second
    /// message for them only repeats the work (or, after a model change, piled up poison messages).
    /// </summary>
    public virtual async Task<IngestOutcome> IngestAsync(BlobClient blob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        string etag = properties.Value.ETag.ToString();
        var existing = await _results.GetAsync(ResultKeys.BlobPath(blob.BlobContainerName, blob.Name), cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.ErrorKind != Classification.ImageClassifier.PoisonedKind
            && existing.BlobETag?.Trim('"') == etag.Trim('"')
            && (_model?.TryGetIdentity() is not { } model || existing.Model is null || existing.Model == model))
        {
            _logger.LogDebug("Skipped {BlobPath}: its row for ETag {ETag} already exists", existing.BlobPath, etag);
            return IngestOutcome.AlreadyClassified;
        }

        return await IngestAsync(blob.BlobContainerName, blob.Name, etag, properties.Value.ContentLength, cancellationToken).ConfigureAwait(false);
    }

    public virtual async Task<IngestOutcome> IngestAsync(string container, string blobName, string? etag, long sizeBytes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        ArgumentException.ThrowIfNullOrEmpty(blobName);

        var correlationId = Guid.NewGuid().ToString("N");
        var blobPath = ResultKeys.BlobPath(container, blobName);
        using var activity = PipelineTelemetry.Source.StartActivity(PipelineTelemetry.IngestActivity, System.Diagnostics.ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true }) activity.SetTag(PipelineTelemetry.BlobPathTag, blobPath).SetTag(PipelineTelemetry.CorrelationIdTag, correlationId);
        if (!BlobNameAddressing.IsAddressable(blobName))
        {
            // A message would only make the classifier read another blob (or none): the row says why, once.
            return await RejectAsync(
                container, blobName, etag, sizeBytes, BlobNameAddressing.UnaddressableKind, BlobNameAddressing.UnaddressableReason, correlationId, cancellationToken)
                .ConfigureAwait(false);
        }

        if (sizeBytes > _options.MaxBlobBytes)
        {
            var reason = $"Blob is {sizeBytes} bytes, over the limit of {_options.MaxBlobBytes} bytes (Classifier:MaxBlobBytes).";
            return await RejectAsync(container, blobName, etag, sizeBytes, nameof(ImageRejectionKind.TooManyBytes), reason, correlationId, cancellationToken)
                .ConfigureAwait(false);
        }

        var request = new ClassifyRequest
        {
            Container = container,
            BlobName = blobName,
            ETag = etag,
            SizeBytes = sizeBytes,
            EnqueuedAt = _time.GetUtcNow(),
            CorrelationId = correlationId,
            TraceParent = PipelineTelemetry.TraceParentOf(activity),
        };
        await _queue.SendAsync(request, cancellationToken).ConfigureAwait(false);
        IngestLog.Enqueued(_logger, blobPath, sizeBytes, correlationId);
        return IngestOutcome.Enqueued;
    }

    /// <summary>
    /// The Failed row of a blob rejected from its properties. Written only while <paramref name="etag"/> is still the blob's
    /// version (see <see cref="ResultStore.WriteIfCurrentAsync"/>): a late trigger for an overwritten version must not
    /// replace the newer version's row.
    /// </summary>
    private async Task<IngestOutcome> RejectAsync(
        string container, string blobName, string? etag, long sizeBytes, string kind, string reason, string correlationId, CancellationToken cancellationToken)
    {
        var blobPath = ResultKeys.BlobPath(container, blobName);
        var current = CurrentBlobVersion.Of(_blobs, container, blobName, etag);
        var row = new ClassificationResult
        {
            BlobPath = blobPath,
            BlobETag = etag ?? await current(cancellationToken).ConfigureAwait(false),
            BlobSizeBytes = sizeBytes,
            Status = nameof(ClassificationStatus.Failed),
            Error = reason,
            ErrorKind = kind,
            ProcessedAt = _time.GetUtcNow(),
            CorrelationId = correlationId,
        };
        if (await _results.WriteIfCurrentAsync(row, current, cancellationToken: cancellationToken).ConfigureAwait(false) == RowWrite.Superseded)
        {
            _logger.LogInformation("Not rejecting {BlobPath} version {ETag}: the blob has changed since; its newer version is ingested on its own", blobPath, row.BlobETag);
            return IngestOutcome.Superseded;
        }

        _logger.LogWarning("Rejected {BlobPath} at ingest: {Reason} (correlation {CorrelationId})", blobPath, reason, correlationId);
        PipelineTelemetry.ImagesFailed.Add(1, new KeyValuePair<string, object?>(PipelineTelemetry.ErrorKindTag, kind));
        return IngestOutcome.Rejected;
    }
}
