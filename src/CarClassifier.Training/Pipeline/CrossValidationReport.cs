using CarClassifier.Training.Data;
using CarClassifier.Training.Features;
using CarClassifier.Training.Head;

namespace CarClassifier.Training.Pipeline;

/// <summary>The measurement <c>carclass train --cross-validate</c> prints: accuracy of head and baseline, and the speeds.</summary>
public sealed record CrossValidationReport(
    string Data, string Base, int Classes, int Images, CrossValidationResult CrossValidation, FeatureExtractionStats Extraction, TimeSpan HeadFit,
    IReadOnlyList<SkippedFile> Skipped);
