namespace CarClassifier.Core.Models;

/// <summary>What a classifier's output holds.</summary>
public enum OutputKind
{
    Logits,
    Probabilities,
}
