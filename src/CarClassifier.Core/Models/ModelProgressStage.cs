namespace CarClassifier.Core.Models;

/// <summary>What <see cref="ModelStore"/> is doing when it reports progress.</summary>
public enum ModelProgressStage
{
    Verifying,
    Generating,
    Downloading,
    Ready,
}
