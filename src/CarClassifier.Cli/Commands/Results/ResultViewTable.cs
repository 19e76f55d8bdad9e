using System.Globalization;
using System.Text;
using CarClassifier.Core.Results;
using CarClassifier.Core.Text;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>
/// Result rows as a console table, the same columns for <c>run</c> and <c>results</c>: image, status, vehicle type,
/// label, probability and the error (kind: reason). The table fits the terminal: every cell is one line, cut with "…"
/// rather than wrapped (at 80 columns a wrapped error became one word per line and 9 rows took 60 lines), and the
/// probability column goes first when there is no room for it.
/// </summary>
internal static class ResultViewTable
{
    /// <summary>Below this width the probability column is left out.</summary>
    internal const int ProbabilityFrom = 90;

    public static void Write(IReadOnlyList<ResultView> rows, string commonPrefix) => Write(rows, commonPrefix, AnsiConsole.Profile.Width);

    internal static void Write(IReadOnlyList<ResultView> rows, string commonPrefix, int width)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var withProbability = width >= ProbabilityFrom;
        var columns = withProbability ? 6 : 5;

        // A rounded table spends one border column per column plus one, and one space either side of each cell.
        var room = Math.Max(40, width) - (3 * columns) - 1;
        const int status = 9, probability = 6;
        room -= status + (withProbability ? probability : 0);
        var names = rows.Select(r => Name(r, commonPrefix)).ToList();
        var errors = rows.Select(ErrorText).ToList();

        // Each column as wide as what it holds (at least its header), then the room shared out: a column that needs
        // less than an even share takes only what it needs and leaves the rest to the others, so an empty Error column
        // stays 5 wide while "not a vehicle" and the labels keep their full text.
        var widths = Share(
            room,
            Need(names, "Image"),
            Need(rows.Select(r => r.VehicleType ?? ""), "Vehicle"),
            Need(rows.Select(r => VisibleText.Escape(r.Label ?? "")), "Label"),
            Need(errors, "Error"));
        var (image, vehicle, label, error) = (widths[0], widths[1], widths[2], widths[3]);

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(Column("Image", image))
            .AddColumn(Column("Status", status))
            .AddColumn(Column("Vehicle", vehicle))
            .AddColumn(Column("Label", label));
        if (withProbability) table.AddColumn(Column("Prob.", probability).RightAligned());
        table.AddColumn(Column("Error", error));
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var cells = new List<string>
            {
                Markup.Escape(Fit(names[i], image, fromStart: true)),
                row.Succeeded ? "[green]Succeeded[/]" : "[red]Failed[/]",
                Markup.Escape(Fit(row.VehicleType ?? "", vehicle)),
                Markup.Escape(Fit(VisibleText.Escape(row.Label ?? ""), label)),
            };
            if (withProbability) cells.Add(row.Probability is { } p ? p.ToString("P1", CultureInfo.InvariantCulture) : "");
            cells.Add(Markup.Escape(Fit(errors[i], error)));
            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
    }

    private static string ErrorText(ResultView row) => VisibleText.Escape(row.ErrorKind is null ? "" : $"{row.ErrorKind}: {row.Error}");

    private static int Need(IEnumerable<string> cells, string header) =>
        cells.Select(c => string.Join(' ', c.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).GetCellWidth()).Append(header.Length).Max();

    /// <summary>
    /// Water-filling: columns that need no more than an even share of what is left get their need; the others split
    /// the rest evenly (the first of them, the image name, takes the remainder). Never less than 5 columns each.
    /// </summary>
    internal static int[] Share(int room, params int[] needs)
    {
        ArgumentNullException.ThrowIfNull(needs);
        var widths = new int[needs.Length];
        var open = Enumerable.Range(0, needs.Length).ToList();
        var left = Math.Max(room, 5 * needs.Length);
        while (open.Count > 0)
        {
            var share = left / open.Count;
            var satisfied = open.Where(i => needs[i] <= share).ToList();
            if (satisfied.Count == 0)
            {
                for (var k = 0; k < open.Count; k++) widths[open[k]] = Math.Max(5, k == 0 ? left - (share * (open.Count - 1)) : share);
                break;
            }

            foreach (var i in satisfied)
            {
                widths[i] = Math.Max(5, needs[i]);
                left -= widths[i];
                open.Remove(i);
            }
        }

        return widths;
    }

    private static TableColumn Column(string header, int width) => new TableColumn(header) { Width = width, NoWrap = true };

    private static string Name(ResultView row, string commonPrefix) =>
        VisibleText.Escape(row.BlobName.StartsWith(commonPrefix, StringComparison.Ordinal) && row.BlobName.Length > commonPrefix.Length ? row.BlobName[commonPrefix.Length..] : row.BlobName);

    /// <summary>
    /// One line of at most <paramref name="width"/> terminal columns; a name keeps its end (the file name), other text
    /// its start. Measured in columns, not characters: a CJK character takes two, and a name of 13 such characters
    /// in a 19-column cell wrapped onto a second line.
    /// </summary>
    internal static string Fit(string text, int width, bool fromStart = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        if (line.GetCellWidth() <= width) return line;
        var runes = line.EnumerateRunes().ToList();
        if (fromStart) runes.Reverse();
        var kept = new List<Rune>();
        var used = 1; // The "…".
        foreach (var rune in runes)
        {
            var cells = rune.ToString().GetCellWidth();
            if (used + cells > width) break;
            kept.Add(rune);
            used += cells;
        }

        if (fromStart) kept.Reverse();
        var cut = string.Concat(kept.Select(r => r.ToString()));
        return fromStart ? "…" + cut : cut + "…";
    }
}
