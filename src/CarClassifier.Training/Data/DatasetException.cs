namespace CarClassifier.Training.Data;

/// <summary>The labelled folder cannot be used (no classes, one class, a class too small, conflicting duplicates); the message says how to fix it.</summary>
public sealed class DatasetException(string message) : Exception(message);
