using CarClassifier.Training.Data;
using CarClassifier.Training.Features;
using CarClassifier.Training.Head;

namespace CarClassifier.Training.Pipeline;

/// <summary>The measurement <c>carclass train --cross-validate</c> prints: accuracy of head and baseline, and the speeds.</summary>
public sealed record CrossValidationReport(
    string Data, string Base, int Classes, int Images, CrossValidationResult CrossValidation, FeatureExtractionStats Extraction, TimeSpan HeadFit,
    IReadOnlyList<SkippedFile> Skipped, FineTuneCrossValidation? FineTuned = null);

/// <summary>
/// The same folds, fine-tuned: per-fold top-1 on the held-out fold (each fold's epoch chosen on a nested hold-out of its
/// training part), the expected calibration error on each held-out fold before and after the temperature fitted on
/// that nested hold-out, the stem extraction and the total training time.
/// </summary>
public sealed record FineTuneCrossValidation(
    IReadOnlyList<double> Top1, IReadOnlyList<int> BestEpochs, FeatureExtractionStats Extraction, TimeSpan Training, IReadOnlyList<double> Ece, IReadOnlyList<double> CalibratedEce)
{
    public double Mean => Top1.Average();

    public double Std => Top1.Count < 2 ? 0 : Math.Sqrt(Top1.Sum(v => (v - Mean) * (v - Mean)) / (Top1.Count - 1));
}
