using Azure;
using Azure.Data.Tables;

namespace CarClassifier.Core.Results;

/// <summary>One row of the results table: everything a user wants to know about one blob.</summary>
public sealed class ClassificationResult : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>Container and blob name, e.g. <c>images/cars/camaro.jpg</c>.</summary>
    public string BlobPath { get; set; } = "";

    /// <summary>ETag of the blob version that was classified.</summary>
    public string? BlobETag { get; set; }

    public long BlobSizeBytes { get; set; }

    /// <summary>"Succeeded" or "Failed" (a string so table queries and CSV exports read naturally).</summary>
    public string Status { get; set; } = nameof(ClassificationStatus.Succeeded);

    public string? Label { get; set; }

    public double? Probability { get; set; }

    /// <summary>Top-k as JSON: <c>[{"index":817,"label":"sports car","probability":0.91}, ...]</c>.</summary>
    public string? TopK { get; set; }

    /// <summary>Model name, version and sha256 prefix, e.g. <c>resnet50-v1-12@1.12#ab65bdc02c5b</c>.</summary>
    public string? Model { get; set; }

    public int BatchSize { get; set; }

    /// <summary>From enqueue to the start of processing.</summary>
    public double QueueWaitMs { get; set; }

    /// <summary>
    /// The header probe: format, size, the walk over the file's segments or chunks, EXIF orientation (issue 21: it once
    /// took a minute on a metadata bomb where nothing measured it). Before the decode budget's wait, so not in
    /// <see cref="DecodeMs"/>; recorded for Failed rows too when the probe itself rejected the file.
    /// </summary>
    public double ProbeMs { get; set; }

    public double DecodeMs { get; set; }

    /// <summary>Wall time of the ONNX Run the image was part of.</summary>
    public double InferenceMs { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }

    /// <summary>Why a Failed row failed; null on success.</summary>
    public string? Error { get; set; }

    /// <summary>Stable failure code (e.g. Corrupt, TooLarge); null on success.</summary>
    public string? ErrorKind { get; set; }

    public string? CorrelationId { get; set; }

    /// <summary>How many times the queue message was delivered when this row was written.</summary>
    public int DequeueCount { get; set; }
}
