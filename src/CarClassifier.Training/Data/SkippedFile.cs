namespace CarClassifier.Training.Data;

/// <summary>A file left out of training or evaluation, with a reason a person can act on.</summary>
public sealed record SkippedFile(string RelativePath, string Reason);
