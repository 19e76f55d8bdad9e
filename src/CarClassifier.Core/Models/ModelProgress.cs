namespace CarClassifier.Core.Models;

/// <summary>Progress of fetching or checking a model; <see cref="TotalBytes"/> is null when unknown.</summary>
public readonly record struct ModelProgress(ModelProgressStage Stage, long BytesDone, long? TotalBytes);
