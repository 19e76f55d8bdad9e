using CarClassifier.Training.Data;

namespace CarClassifier.Training.Features;

/// <summary>
/// Features of the usable images of a dataset: <see cref="Original"/>[i] and its mirror <see cref="Flipped"/>[i] belong to
/// <see cref="Images"/>[i]. Images that failed to decode are in <see cref="Skipped"/>.
/// </summary>
public sealed record FeatureSet(
    IReadOnlyList<LabelledImage> Images,
    IReadOnlyList<float[]> Original,
    IReadOnlyList<float[]> Flipped,
    IReadOnlyList<SkippedFile> Skipped,
    FeatureExtractionStats Stats)
{
    public int[] Labels => [.. Images.Select(i => i.ClassIndex)];
}
