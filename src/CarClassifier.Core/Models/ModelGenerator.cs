namespace CarClassifier.Core.Models;

/// <summary>Names the in-project generator that makes this model's weights deterministically.</summary>
public sealed record ModelGenerator
{
    /// <summary>"resnet50" (real architecture, seeded weights) or "color" (tiny colour classifier with known answers).</summary>
    public required string Kind { get; init; }

    public int Seed { get; init; }
}
