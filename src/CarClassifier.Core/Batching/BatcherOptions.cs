namespace CarClassifier.Core.Batching;

/// <summary>Dynamic batching knobs, like Triton's max batch size and max queue delay.</summary>
public sealed record BatcherOptions(int MaxBatchSize, TimeSpan MaxDelay, int TopK);
