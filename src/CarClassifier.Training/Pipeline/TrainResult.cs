using CarClassifier.Training.Data;
using CarClassifier.Training.Features;
using CarClassifier.Training.Head;

namespace CarClassifier.Training.Pipeline;

/// <summary>Where the trained model went and what it took.</summary>
public sealed record TrainResult(
    string ManifestPath, string ModelPath, string Identity, HeadFit? Fit, FeatureExtractionStats Extraction, IReadOnlyList<SkippedFile> Skipped, TrainingProvenance Provenance, FineTuning.FineTuneResult? FineTune = null);
