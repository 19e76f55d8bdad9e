namespace CarClassifier.Core.Models;

/// <summary>
/// Weights derived from a file inside a NuGet package that the normal build restores (no download at run time):
/// the training tools read <see cref="Path"/> from the package, check it against <see cref="FileSha256"/>, apply the
/// named <see cref="Transform"/> (cut, dynamic batch, folded preprocessing) and cache the result under the manifest's sha256.
/// </summary>
public sealed record ModelPackageSource
{
    /// <summary>NuGet package id, e.g. Microsoft.ML.DnnImageFeaturizer.ResNet18.</summary>
    public required string Id { get; init; }

    public required string Version { get; init; }

    /// <summary>Path of the ONNX file inside the package, with forward slashes.</summary>
    public required string Path { get; init; }

    /// <summary>Lower-case hex sha256 of the packaged file before the transform.</summary>
    public required string FileSha256 { get; init; }

    /// <summary>The transform that turns the packaged file into this model (known to CarClassifier.Training).</summary>
    public required string Transform { get; init; }
}
