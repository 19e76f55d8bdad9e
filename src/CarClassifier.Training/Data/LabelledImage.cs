namespace CarClassifier.Training.Data;

/// <summary>One image of a labelled folder: its path, class index and the sha256 of its bytes (the feature cache key).</summary>
public sealed record LabelledImage(string Path, string RelativePath, int ClassIndex, string Sha256);
