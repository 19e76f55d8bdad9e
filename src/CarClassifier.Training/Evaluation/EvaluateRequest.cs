using CarClassifier.Core.Configuration;

namespace CarClassifier.Training.Evaluation;

/// <summary>One evaluation: a classifier manifest (trained here or any other with labels) and a labelled folder.</summary>
public sealed record EvaluateRequest
{
    public required string ManifestPath { get; init; }

    public required string DataFolder { get; init; }

    public required string ModelCacheDirectory { get; init; }

    public ClassifierOptions Classifier { get; init; } = new();

    public int BatchSize { get; init; } = 16;
}
