namespace CarClassifier.Core.Postprocessing;

/// <summary>One class of a prediction: index into the labels, its name and probability.</summary>
public sealed record ClassScore(int Index, string Label, float Probability);
