using CarClassifier.Core.Results;
using CarClassifier.Core.Vehicles;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>The status and label filters of <c>results</c> and <c>report</c>.</summary>
internal static class ResultFilter
{
    /// <summary>Reads the rows under the settings' prefix and applies its filters (a storage failure is reported by CliErrors: one line, exit 4).</summary>
    public static async Task<IReadOnlyList<ResultView>> LoadAsync(ResultStore results, ResultFilterSettings settings, CancellationToken cancellationToken)
    {
        var query = new ResultQuery(results, VehicleTypeCatalog.FromDefaultLocations());
        var rows = Apply(await query.ListAsync(settings.Prefix, cancellationToken).ConfigureAwait(false), settings.Status, settings.Label);
        var since = settings.SinceTime(DateTimeOffset.UtcNow);
        if (since is null && !settings.VehiclesOnly) return rows;
        return rows.Where(r => since is null || r.ProcessedAt >= since)
            .Where(r => !settings.VehiclesOnly || IsVehicle(r))
            .ToList();
    }

    /// <summary>Classified as a vehicle: a vehicle type, and not the map's "not a vehicle".</summary>
    public static bool IsVehicle(ResultView row) =>
        !string.IsNullOrEmpty(row?.VehicleType) && !row.VehicleType.Equals("not a vehicle", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyList<ResultView> Apply(IEnumerable<ResultView> rows, string? status, string? label) =>
        rows.Where(r => status is null || r.Status.Equals(status, StringComparison.OrdinalIgnoreCase))
            .Where(r => string.IsNullOrEmpty(label)
                || (r.Label?.Contains(label, StringComparison.OrdinalIgnoreCase) ?? false)
                || (r.VehicleType?.Contains(label, StringComparison.OrdinalIgnoreCase) ?? false))
            .ToList();
}
