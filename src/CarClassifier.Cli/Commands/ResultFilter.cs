using CarClassifier.Core.Results;

namespace CarClassifier.Cli.Commands;

/// <summary>The status and label filters of <c>results</c> and <c>report</c>.</summary>
internal static class ResultFilter
{
    public static IReadOnlyList<ResultView> Apply(IEnumerable<ResultView> rows, string? status, string? label) =>
        rows.Where(r => status is null || r.Status.Equals(status, StringComparison.OrdinalIgnoreCase))
            .Where(r => string.IsNullOrEmpty(label)
                || (r.Label?.Contains(label, StringComparison.OrdinalIgnoreCase) ?? false)
                || (r.VehicleType?.Contains(label, StringComparison.OrdinalIgnoreCase) ?? false))
            .ToList();
}
