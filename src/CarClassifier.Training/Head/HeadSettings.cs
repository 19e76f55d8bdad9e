namespace CarClassifier.Training.Head;

/// <summary>How the head is fitted; recorded in the trained model's provenance.</summary>
public sealed record HeadSettings
{
    /// <summary>L2 strengths tried, strongest first (each fit warm-starts from the previous one).</summary>
    public IReadOnlyList<double> Lambdas { get; init; } = [1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001];

    /// <summary>Share of each class held out to pick the L2 strength.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    public int Seed { get; init; } = 42;

    /// <summary>Train on mirror images too (the validation part is never mirrored, so it stays honest).</summary>
    public bool Flips { get; init; } = true;

    public int MaxIterations { get; init; } = 300;
}
