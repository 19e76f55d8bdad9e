namespace CarClassifier.Training.FineTuning;

/// <summary>A fine-tuned model scored on a held-out fold: top-1, and calibration error before and after its temperature.</summary>
public sealed record FoldScore(double Top1, double Ece, double CalibratedEce);
