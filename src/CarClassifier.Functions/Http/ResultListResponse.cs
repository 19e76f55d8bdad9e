using CarClassifier.Core.Results;

namespace CarClassifier.Functions.Http;

/// <summary>Body of the list API: one page of results and, when more follow, the token for the next page.</summary>
public sealed record ResultListResponse(IReadOnlyList<ResultView> Items, string? Continuation);
