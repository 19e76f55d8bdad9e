using System.Globalization;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Results;
using CarClassifier.Core.Text;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>Result views as a console table: vehicle type beside the raw label, failures with their reason.</summary>
internal static class ResultViewTable
{
    public static void Write(IReadOnlyList<ResultView> rows, string commonPrefix)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Image")
            .AddColumn("Status")
            .AddColumn("Vehicle")
            .AddColumn("Label")
            .AddColumn(new TableColumn("Prob.").RightAligned())
            .AddColumn("Error");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(VisibleText.Escape(row.BlobName.StartsWith(commonPrefix, StringComparison.Ordinal) && row.BlobName.Length > commonPrefix.Length ? row.BlobName[commonPrefix.Length..] : row.BlobName)),
                row.Succeeded ? "[green]Succeeded[/]" : "[red]Failed[/]",
                Markup.Escape(row.VehicleType ?? ""),
                Markup.Escape(row.Label ?? ""),
                row.Probability is { } p ? p.ToString("P1", CultureInfo.InvariantCulture) : "",
                Markup.Escape(VisibleText.Escape(row.ErrorKind is null ? "" : $"{row.ErrorKind}: {row.Error}")));
        }

        AnsiConsole.Write(table);
    }
}
