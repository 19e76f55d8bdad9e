using System.Globalization;
using System.Text.Json;
using CarClassifier.Core.Results;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Results;

/// <summary><c>results --summary</c>: how many rows per status, vehicle type, label and model, largest first.</summary>
internal static class ResultsSummary
{
    public sealed record Counts(
        int Total,
        IReadOnlyDictionary<string, int> Status,
        IReadOnlyDictionary<string, int> VehicleType,
        IReadOnlyDictionary<string, int> Label,
        IReadOnlyDictionary<string, int> Model,
        IReadOnlyDictionary<string, int> ErrorKind);

    public static Counts Count(IReadOnlyList<ResultView> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new Counts(
            rows.Count,
            By(rows, r => r.Status),
            By(rows.Where(r => r.Succeeded), r => r.VehicleType ?? "(no vehicle map)"),
            By(rows.Where(r => r.Succeeded), r => r.Label ?? "?"),
            By(rows, r => r.Model ?? "?"),
            By(rows.Where(r => !r.Succeeded), r => r.ErrorKind ?? "?"));
    }

    public static void WriteJson(TextWriter writer, Counts counts)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(JsonSerializer.Serialize(counts, ResultsJson.Options));
        writer.Flush();
    }

    public static void WriteTables(Counts counts, int maxLabels = 15)
    {
        ArgumentNullException.ThrowIfNull(counts);
        Write("Status", counts.Status, counts.Total, int.MaxValue);
        if (counts.VehicleType.Count > 0) Write("Vehicle type", counts.VehicleType, counts.Total, int.MaxValue);
        if (counts.Label.Count > 0) Write("Label", counts.Label, counts.Total, maxLabels);
        if (counts.ErrorKind.Count > 0) Write("Error kind", counts.ErrorKind, counts.Total, int.MaxValue);
        Write("Model", counts.Model, counts.Total, int.MaxValue);
    }

    private static void Write(string title, IReadOnlyDictionary<string, int> counts, int total, int max)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn(title).AddColumn(new TableColumn("Rows").RightAligned()).AddColumn(new TableColumn("%").RightAligned());
        foreach (var (key, count) in counts.Take(max))
        {
            table.AddRow(Markup.Escape(key), count.ToString(CultureInfo.InvariantCulture), (count / (double)Math.Max(total, 1)).ToString("P0", CultureInfo.InvariantCulture));
        }

        if (counts.Count > max) table.AddRow($"[grey]{counts.Count - max} more[/]", counts.Skip(max).Sum(c => c.Value).ToString(CultureInfo.InvariantCulture), "");
        AnsiConsole.Write(table);
    }

    private static Dictionary<string, int> By(IEnumerable<ResultView> rows, Func<ResultView, string> key) =>
        rows.GroupBy(key, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
