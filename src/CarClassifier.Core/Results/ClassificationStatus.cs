namespace CarClassifier.Core.Results;

/// <summary>Outcome recorded for a blob.</summary>
public enum ClassificationStatus
{
    Succeeded,
    Failed,
}
