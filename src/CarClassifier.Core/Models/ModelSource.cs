namespace CarClassifier.Core.Models;

/// <summary>A download location pinned to a commit.</summary>
public sealed record ModelSource
{
    public required Uri Url { get; init; }

    public string? Commit { get; init; }
}
