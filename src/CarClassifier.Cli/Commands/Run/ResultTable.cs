using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Results;
using CarClassifier.Core.Text;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Run;

/// <summary>Renders result rows as a console table.</summary>
internal static class ResultTable
{
    /// <param name="commonPrefix">Blob path prefix shared by every row, left out of the Image column to keep it readable.</param>
    public static void Write(IReadOnlyList<ClassificationResult> rows, string commonPrefix = "")
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Image")
            .AddColumn("Status")
            .AddColumn("Label")
            .AddColumn(new TableColumn("Prob.").RightAligned())
            .AddColumn(new TableColumn("Batch").RightAligned())
            .AddColumn(new TableColumn("Infer ms").RightAligned())
            .AddColumn("Error");
        foreach (var row in rows)
        {
            var ok = row.Status == nameof(ClassificationStatus.Succeeded);
            table.AddRow(
                Markup.Escape(VisibleText.Escape(row.BlobPath.StartsWith(commonPrefix, StringComparison.Ordinal) ? row.BlobPath[commonPrefix.Length..] : row.BlobPath)),
                ok ? "[green]Succeeded[/]" : "[red]Failed[/]",
                Markup.Escape(row.Label ?? ""),
                row.Probability is { } p ? p.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "",
                ok ? row.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
                ok ? row.InferenceMs.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) : "",
                Markup.Escape(VisibleText.Escape(row.Error)));
        }

        AnsiConsole.Write(table);
    }
}
