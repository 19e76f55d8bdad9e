using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues.Models;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using CarClassifier.Core.Storage;
using CarClassifier.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Classification;

/// <summary>
/// What the queue trigger does with one claim check: download the blob, decode and preprocess it,
/// hand the tensor to the shared batcher, and upsert the row.
/// Deterministic failures (bad bytes, limits, deleted blob) become a Failed row and the message completes;
/// anything else (storage down, model failure) throws so the queue retries and finally poisons it.
/// </summary>
public class ImageClassifier
{
    private static readonly JsonSerializerOptions TopKJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Blob buffers. Not <see cref="ArrayPool{T}.Shared"/>: it keeps arrays of every size per core, so up to 64 messages of
    /// 64 MiB blobs could stay cached there for good. This pool caches at most 4 arrays per size up to 16 MiB (under
    /// 128 MiB in all); larger blobs get a fresh array the GC reclaims.
    /// </summary>
    private static readonly ArrayPool<byte> BlobBuffers = ArrayPool<byte>.Create(maxArrayLength: 16 * 1024 * 1024, maxArraysPerBucket: 4);

    private readonly BlobServiceClient _blobs;
    private readonly IImageDecoder _decoder;
    private readonly ModelRuntime _model;
    private readonly ResultStore _results;
    private readonly ClassifierOptions _options;
    private readonly ImageLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger<ImageClassifier> _logger;
    private readonly DecodeMemoryBudget _memory;

    public ImageClassifier(
        BlobServiceClient blobs,
        IImageDecoder decoder,
        ModelRuntime model,
        ResultStore results,
        IOptions<ClassifierOptions> options,
        TimeProvider time,
        ILogger<ImageClassifier> logger,
        DecodeMemoryBudget? memory = null)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _blobs = blobs;
        _decoder = decoder;
        _model = model;
        _results = results;
        _options = options.Value;
        _limits = _options.ToImageLimits();
        _time = time;
        _logger = logger;
        _memory = memory ?? new DecodeMemoryBudget(_options.ResolveDecodeMemoryBudget().Bytes);
    }

    /// <summary>For mocking frameworks only.</summary>
    protected ImageClassifier()
    {
        _blobs = null!;
        _decoder = null!;
        _model = null!;
        _results = null!;
        _options = null!;
        _limits = null!;
        _time = null!;
        _logger = null!;
        _memory = null!;
    }

    /// <summary>
    /// Classifies the blob a work-queue message names (both hosts' queue triggers call this). On the message's last
    /// delivery (<see cref="ClassifierOptions.MaxDequeueCount"/>) the blob is first given a Failed row of kind
    /// <see cref="PoisonedKind"/>, so it keeps a row even if this delivery never finishes (the host dies, as it did on the
    /// earlier ones); a finished delivery overwrites it, and a failed one rewrites it with the last error before the
    /// queue moves the message to the poison queue (from where <c>carclass poison replay</c> can still resubmit it).
    /// </summary>
    /// <exception cref="InvalidDataException">The message is not a classify request (it will be retried, then poisoned).</exception>
    public virtual async Task<ClassificationResult> ClassifyAsync(QueueMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ClassifyRequest request;
        try
        {
            request = ClassifyRequest.Parse(message.Body.ToString());
        }
        catch (InvalidDataException ex)
        {
            _logger.LogWarning(
                "Message {MessageId} failed on delivery {DequeueCount}: {Reason}", message.MessageId, message.DequeueCount, ex.Message.Split('\n')[0]);
            throw;
        }

        return await ClassifyDeliveryAsync(request, message.DequeueCount, _options.MaxDequeueCount, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Classifies one delivery of a request, for any transport: the storage queue above, and the Service Bus worker
    /// with its own <paramref name="maxDeliveries"/>. Throws (so the transport retries) for storage and model
    /// failures; on the last delivery the blob keeps a Poisoned row either way (see the queue overload).
    /// </summary>
    public virtual async Task<ClassificationResult> ClassifyDeliveryAsync(
        ClassifyRequest request, long deliveryCount, int maxDeliveries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool lastDelivery = deliveryCount >= maxDeliveries;
        try
        {
            if (lastDelivery)
            {
                await TryMarkPoisonedAsync(
                    request,
                    deliveryCount,
                    $"Gave up after {deliveryCount} deliveries: none finished (the host stopped or crashed while classifying this blob).",
                    onlyIfNoFinalRow: true,
                    cancellationToken).ConfigureAwait(false);
            }

            return await ClassifyAsync(request, deliveryCount, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One short, searchable line per failed delivery, with the attempt number, so the reason is on
            // record when the queue finally moves the message to the poison queue. The host logs the full exception too.
            _logger.LogWarning(
                "Classify {Container}/{BlobName} failed on delivery {DequeueCount}: {Reason}",
                request.Container, request.BlobName, deliveryCount, ex.Message.Split('\n')[0]);
            if (lastDelivery)
            {
                await TryMarkPoisonedAsync(
                    request,
                    deliveryCount,
                    $"Gave up after {deliveryCount} deliveries; the last one failed: {RetryableFailure.Describe(ex)}",
                    onlyIfNoFinalRow: false,
                    cancellationToken).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>ErrorKind of the row a blob gets when its message runs out of deliveries.</summary>
    public const string PoisonedKind = "Poisoned";

    /// <summary>
    /// Best effort: writes the Poisoned row (upsert, so repeating it is harmless). When the store itself is what
    /// keeps failing the write fails too; the message still reaches the poison queue and a replay finishes the job.
    /// </summary>
    private async Task TryMarkPoisonedAsync(
        ClassifyRequest request, long dequeueCount, string reason, bool onlyIfNoFinalRow, CancellationToken cancellationToken)
    {
        var path = ResultKeys.BlobPath(request.Container, request.BlobName);
        try
        {
            var current = CurrentBlobVersion.Of(_blobs, request.Container, request.BlobName, request.ETag);
            var row = new ClassificationResult
            {
                BlobPath = path,
                // A hand-made message may name no version: the row is about the blob as it is now.
                BlobETag = request.ETag ?? await current(cancellationToken).ConfigureAwait(false),
                BlobSizeBytes = request.SizeBytes,
                Model = _model.TryGetIdentity(),
                CorrelationId = request.CorrelationId,
                DequeueCount = (int)Math.Min(int.MaxValue, dequeueCount),
                ProcessedAt = _time.GetUtcNow(),
            };
            MarkFailed(row, PoisonedKind, reason);

            // An earlier delivery may have written the real row and died before completing the message: keep it.
            Func<ClassificationResult, bool>? keepFinalRow = onlyIfNoFinalRow
                ? existing => existing.ErrorKind != PoisonedKind && ResultStore.SameBlobVersion(existing.BlobETag, row.BlobETag)
                : null;
            var written = await _results.WriteIfCurrentAsync(row, current, keepFinalRow, cancellationToken).ConfigureAwait(false);
            if (written == RowWrite.Superseded)
            {
                // The blob was overwritten since this message's version: the new version's own message gives it its row.
                _logger.LogInformation("No {ErrorKind} row for {BlobPath}: the blob has changed since version {ETag}", PoisonedKind, path, row.BlobETag);
            }
            else if (written == RowWrite.Written && !onlyIfNoFinalRow)
            {
                PipelineTelemetry.ImagesFailed.Add(1, new KeyValuePair<string, object?>(PipelineTelemetry.ErrorKindTag, PoisonedKind));
                _logger.LogError("Failed {BlobPath}: {ErrorKind}: {Error} (correlation {CorrelationId})", path, PoisonedKind, reason, request.CorrelationId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning("Could not write the {ErrorKind} row for {BlobPath}: {Reason}", PoisonedKind, path, ex.Message.Split('\n')[0]);
        }
    }

    /// <summary>
    /// Classifies the blob a message names and writes its row, unless the blob was overwritten or deleted while this
    /// version was being classified (then a newer version's row is, or will be, the blob's row). Returns the row made.
    /// </summary>
    public virtual async Task<ClassificationResult> ClassifyAsync(ClassifyRequest request, long dequeueCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = PipelineTelemetry.Source.StartActivity(
            PipelineTelemetry.ClassifyActivity, ActivityKind.Consumer, PipelineTelemetry.ParentFrom(request.TraceParent));
        if (activity is { IsAllDataRequested: true })
        {
            // Tags only on a sampled trace: an unsampled one still propagates its context but records nothing.
            activity.SetTag(PipelineTelemetry.BlobPathTag, ResultKeys.BlobPath(request.Container, request.BlobName))
                .SetTag(PipelineTelemetry.CorrelationIdTag, request.CorrelationId);
        }

        var started = _time.GetUtcNow();
        var model = await _model.GetAsync(cancellationToken).ConfigureAwait(false);
        var row = new ClassificationResult
        {
            BlobPath = ResultKeys.BlobPath(request.Container, request.BlobName),
            BlobETag = request.ETag,
            BlobSizeBytes = request.SizeBytes,
            Model = model.Manifest.Identity,
            QueueWaitMs = Math.Max(0, (started - request.EnqueuedAt).TotalMilliseconds),
            CorrelationId = request.CorrelationId,
            DequeueCount = (int)Math.Min(int.MaxValue, dequeueCount),
        };
        PipelineTelemetry.QueueWait.Record(row.QueueWaitMs);

        byte[]? bytes = null;
        float[]? tensor = null;
        DecodeMemoryBudget.Lease? memory = null;
        try
        {
            if (!BlobNameAddressing.IsAddressable(request.BlobName))
            {
                // Ingest already rejects these; a replayed or hand-made message must not read another blob's pixels.
                throw new UnaddressableBlobException();
            }

            var blob = _blobs.GetBlobContainerClient(request.Container).GetBlobClient(request.BlobName);
            // The blob's bytes count against the decode budget too. Reserved from the size ingest saw, before the download
            // starts, so no response sits open while this waits; corrected below if the blob has changed since.
            memory = await _memory.ReserveAsync(Math.Clamp(request.SizeBytes, 0, _options.MaxBlobBytes), cancellationToken).ConfigureAwait(false);
            int length;
            (bytes, length) = await DownloadAsync(blob, row, memory, cancellationToken).ConfigureAwait(false);

            // Hole 6 of issue 15: before any pixel buffer exists, hold the decoder's estimated need (from the header) in
            // the shared budget, waiting while other decodes have it spent.
            var header = Probe(bytes.AsSpan(0, length), row);
            await memory.ResizeAsync(
                length + DecodeMemoryEstimate.Bytes(_decoder.Name, header, bytes.AsSpan(0, length), model.Manifest.Preprocess),
                cancellationToken).ConfigureAwait(false);

            var decodeStarted = Stopwatch.GetTimestamp();
            tensor = ArrayPool<float>.Shared.Rent(model.Batcher.ImageLength);
            var image = tensor.AsMemory(0, model.Batcher.ImageLength);
            Decode(bytes.AsSpan(0, length), header, model.Manifest.Preprocess, image.Span);
            row.DecodeMs = Stopwatch.GetElapsedTime(decodeStarted).TotalMilliseconds;
            PipelineTelemetry.DecodeDuration.Record(row.DecodeMs);

            // The raw bytes and the decoder's buffers are gone: give them back before waiting on the batch.
            BlobBuffers.Return(bytes);
            bytes = null;
            memory.Dispose();
            memory = null;

            var prediction = await model.Batcher.ClassifyAsync(image, cancellationToken).ConfigureAwait(false);
            row.Status = nameof(ClassificationStatus.Succeeded);
            row.Label = prediction.TopK[0].Label;
            row.Probability = prediction.TopK[0].Probability;
            row.TopK = JsonSerializer.Serialize(prediction.TopK, TopKJson);
            row.BatchSize = prediction.BatchSize;
            row.InferenceMs = prediction.Inference.TotalMilliseconds;
        }
        catch (ImageRejectedException ex)
        {
            if (ex.Kind == ImageRejectionKind.DecoderError)
            {
                // The row says what is wrong in words; the log keeps the exception for whoever fixes the decoder.
                _logger.LogDebug(ex.InnerException, "Decoder error on {BlobPath}", row.BlobPath);
            }

            MarkFailed(row, ex.Kind.ToString(), ex.Message);
        }
        catch (UnaddressableBlobException)
        {
            MarkFailed(row, BlobNameAddressing.UnaddressableKind, BlobNameAddressing.UnaddressableReason);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The version this row describes is "no blob": it replaces a row only while the blob is still gone.
            row.BlobETag = null;
            MarkFailed(row, "BlobNotFound", "The blob no longer exists (deleted before it was classified).");
        }
        finally
        {
            if (bytes is not null) BlobBuffers.Return(bytes);
            if (tensor is not null) ArrayPool<float>.Shared.Return(tensor);
            memory?.Dispose();
        }

        row.ProcessedAt = _time.GetUtcNow();
        var written = await _results.WriteIfCurrentAsync(
            row, CurrentBlobVersion.Of(_blobs, request.Container, request.BlobName, row.BlobETag), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (written == RowWrite.Superseded)
        {
            // Overwritten (or deleted) while this version was being classified: its row would describe bytes that are
            // gone. The newer version's own message writes the row.
            ClassifierLog.Superseded(_logger, row.BlobPath, row.BlobETag, row.CorrelationId);
            return row;
        }

        if (row.Error is null)
        {
            PipelineTelemetry.ImagesClassified.Add(1);
            ClassifierLog.Classified(_logger, row.BlobPath, row.Label, row.Probability, row.BatchSize, row.CorrelationId);
        }
        else
        {
            PipelineTelemetry.ImagesFailed.Add(1, new KeyValuePair<string, object?>(PipelineTelemetry.ErrorKindTag, row.ErrorKind));
            activity?.SetStatus(ActivityStatusCode.Error, row.ErrorKind);
            _logger.LogWarning("Failed {BlobPath}: {ErrorKind}: {Error} (correlation {CorrelationId})", row.BlobPath, row.ErrorKind, row.Error, row.CorrelationId);
        }

        return row;
    }

    /// <summary>The header probe, timed into <see cref="ClassificationResult.ProbeMs"/> whether it accepts the file or not.</summary>
    private ImageHeader Probe(ReadOnlySpan<byte> encoded, ClassificationResult row)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return ImageHeaderProbe.Probe(encoded, _limits);
        }
        finally
        {
            row.ProbeMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            PipelineTelemetry.ProbeDuration.Record(row.ProbeMs);
        }
    }

    /// <summary>
    /// The total failure policy: decoding is a pure function of the bytes, so whatever a decoder throws (other than
    /// cancellation and out-of-memory) is final for these bytes and becomes a Failed row, never a retry. Our decoders
    /// already promise this; the guard here covers any decoder plugged in later.
    /// </summary>
    private void Decode(ReadOnlySpan<byte> encoded, ImageHeader header, PreprocessRecipe recipe, Span<float> destination)
    {
        try
        {
            // The header probed above for the memory budget: the decoder need not parse it again.
            _decoder.DecodeInto(encoded, header, recipe, _limits, destination);
        }
        catch (Exception ex) when (DecodeFailures.IsDataError(ex))
        {
            _logger.LogWarning(ex, "Decoder {Decoder} threw instead of rejecting the image; recorded as {Kind}", _decoder.Name, ImageRejectionKind.DecoderError);
            throw DecodeFailures.Unexpected(encoded, ex);
        }
    }

    /// <summary>Downloads the blob into a pooled buffer, first making <paramref name="memory"/> hold its actual size.</summary>
    private async Task<(byte[] Bytes, int Length)> DownloadAsync(
        BlobClient blob, ClassificationResult row, DecodeMemoryBudget.Lease memory, CancellationToken cancellationToken)
    {
        var response = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        using var download = response.Value;
        var size = download.Details.ContentLength;
        row.BlobETag = download.Details.ETag.ToString();
        row.BlobSizeBytes = size;

        // Checked again here: the blob may have been overwritten with something bigger since ingest.
        if (size > _options.MaxBlobBytes)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooManyBytes,
                $"Blob is {size} bytes, over the limit of {_options.MaxBlobBytes} bytes (Classifier:MaxBlobBytes).");
        }

        if (size == 0)
        {
            throw new ImageRejectedException(ImageRejectionKind.Empty, "The blob is empty (0 bytes).");
        }

        var length = (int)size;
        if (memory.Bytes != length)
        {
            await memory.ResizeAsync(length, cancellationToken).ConfigureAwait(false);
        }

        byte[]? bytes = null;
        try
        {
            bytes = BlobBuffers.Rent(length);
            var read = 0;
            while (read < length)
            {
                var n = await download.Content.ReadAsync(bytes.AsMemory(read, length - read), cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new IOException($"The blob download ended after {read} of {length} bytes.");
                read += n;
            }

            return (bytes, length);
        }
        catch
        {
            if (bytes is not null) BlobBuffers.Return(bytes);
            throw;
        }
    }

    private static void MarkFailed(ClassificationResult row, string kind, string reason)
    {
        row.Status = nameof(ClassificationStatus.Failed);
        row.ErrorKind = kind;
        row.Error = reason;
        row.Label = null;
        row.Probability = null;
        row.TopK = null;
    }
}
