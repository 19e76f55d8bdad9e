namespace CarClassifier.Core.Models;

/// <summary>A model ready to load: its manifest, its verified weights on disk and its labels in class order.</summary>
public sealed record LocalModel(ModelManifest Manifest, string ModelPath, IReadOnlyList<string> Labels);
