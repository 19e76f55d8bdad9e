using CarClassifier.Core.Results;
using Spectre.Console;

namespace CarClassifier.Cli.Commands;

/// <summary>Renders result rows as a console table.</summary>
internal static class ResultTable
{
    public static void Write(IReadOnlyList<ClassificationResult> rows)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Blob")
            .AddColumn("Status")
            .AddColumn("Label")
            .AddColumn(new TableColumn("Prob.").RightAligned())
            .AddColumn(new TableColumn("Batch").RightAligned())
            .AddColumn(new TableColumn("Decode ms").RightAligned())
            .AddColumn(new TableColumn("Infer ms").RightAligned())
            .AddColumn("Error");
        foreach (var row in rows)
        {
            var ok = row.Status == nameof(ClassificationStatus.Succeeded);
            table.AddRow(
                Markup.Escape(row.BlobPath),
                ok ? "[green]Succeeded[/]" : "[red]Failed[/]",
                Markup.Escape(row.Label ?? ""),
                row.Probability is { } p ? p.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "",
                ok ? row.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
                ok ? row.DecodeMs.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) : "",
                ok ? row.InferenceMs.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) : "",
                Markup.Escape(row.Error ?? ""));
        }

        AnsiConsole.Write(table);
    }
}
