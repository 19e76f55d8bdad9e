using System.Text.Json;

namespace CarClassifier.Core.Messaging;

/// <summary>
/// The work-queue message: a claim check that names the blob to classify, never its bytes
/// (queue messages are capped at 64 KiB and images are not).
/// </summary>
public sealed record ClassifyRequest
{
    public required string Container { get; init; }

    public required string BlobName { get; init; }

    /// <summary>ETag seen at ingest; the row records the ETag actually classified.</summary>
    public string? ETag { get; init; }

    public long SizeBytes { get; init; }

    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>Joins the ingest and classify logs and traces of one image.</summary>
    public required string CorrelationId { get; init; }

    /// <summary>W3C traceparent of the ingest activity, so classify continues the same trace; null when nobody listens.</summary>
    public string? TraceParent { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a message body; throws <see cref="InvalidDataException"/> with the reason when it is not a request.</summary>
    public static ClassifyRequest Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var request = JsonSerializer.Deserialize<ClassifyRequest>(json, JsonOptions);
            if (request is null || string.IsNullOrEmpty(request.Container) || string.IsNullOrEmpty(request.BlobName))
            {
                throw new InvalidDataException("The message names no container or blob.");
            }

            return request;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The message is not a classify request: {ex.Message}", ex);
        }
    }
}
