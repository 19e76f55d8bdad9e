using CarClassifier.Core.Postprocessing;

namespace CarClassifier.Core.Results;

/// <summary>
/// A result row as users read it (CLI json/csv, HTML report, HTTP API): the top-k parsed, and the coarse
/// vehicle type beside the raw label where the model has a vehicle-types map.
/// </summary>
public sealed record ResultView
{
    /// <summary>Container and blob name, e.g. <c>images/cars/camaro.jpg</c>.</summary>
    public required string BlobPath { get; init; }

    /// <summary>Blob name inside its container, e.g. <c>cars/camaro.jpg</c>.</summary>
    public required string BlobName { get; init; }

    public required string Status { get; init; }

    public string? Label { get; init; }

    public double? Probability { get; init; }

    /// <summary>Coarse type ("sports car", "bus", ..., "not a vehicle"); null when the model has no vehicle map or the row failed.</summary>
    public string? VehicleType { get; init; }

    public double? VehicleProbability { get; init; }

    public IReadOnlyList<ClassScore> TopK { get; init; } = [];

    public string? Model { get; init; }

    public string? ErrorKind { get; init; }

    public string? Error { get; init; }

    public long BlobSizeBytes { get; init; }

    public string? BlobETag { get; init; }

    public int BatchSize { get; init; }

    public double QueueWaitMs { get; init; }

    public double ProbeMs { get; init; }

    public double DecodeMs { get; init; }

    public double InferenceMs { get; init; }

    public DateTimeOffset ProcessedAt { get; init; }

    public string? CorrelationId { get; init; }

    public int DequeueCount { get; init; }

    public bool Succeeded => Status == nameof(ClassificationStatus.Succeeded);
}
