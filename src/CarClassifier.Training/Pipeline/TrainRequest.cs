using CarClassifier.Core.Configuration;
using CarClassifier.Training.Head;

namespace CarClassifier.Training.Pipeline;

/// <summary>Everything one training run needs. <see cref="Classifier"/> supplies the decoder, limits and execution provider, as in serving.</summary>
public sealed record TrainRequest
{
    public required string DataFolder { get; init; }

    public required string BaseManifestPath { get; init; }

    public required string OutFolder { get; init; }

    /// <summary>Model name in the manifest (and the weights' file name); defaults to the output folder's name.</summary>
    public string? Name { get; init; }

    public required string ModelCacheDirectory { get; init; }

    public ClassifierOptions Classifier { get; init; } = new();

    public HeadSettings Head { get; init; } = new();

    public int BatchSize { get; init; } = 16;

    /// <summary>Root of the feature cache (features live in its <c>features/</c> folder); defaults to <see cref="ModelCacheDirectory"/>.</summary>
    public string? FeatureCacheDirectory { get; init; }

    /// <summary>Makes generated bases (resnet50-generated) when they are not cached; null: only cached, downloaded or packaged weights.</summary>
    public CarClassifier.Core.Models.IModelWeightsGenerator? Generator { get; init; }

    /// <summary>Fine-tune the last stage and a new head (the default of <c>carclass train</c>); null: the frozen-features head.</summary>
    public FineTuning.FineTuneSettings? FineTune { get; init; }

    /// <summary>Skip the feature cache (read and write).</summary>
    public bool NoCache { get; init; }
}
