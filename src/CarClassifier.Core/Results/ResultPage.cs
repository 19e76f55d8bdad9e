namespace CarClassifier.Core.Results;

/// <summary>One page of rows and the token for the next page (null on the last page).</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);
