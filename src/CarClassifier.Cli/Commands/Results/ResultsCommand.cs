using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Results;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>Shows the rows under a prefix as a table, CSV or JSON, filtered by status and label / vehicle type.</summary>
public sealed class ResultsCommand(StorageConnection storage, ResultStore results) : AsyncCommand<ResultsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ResultsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!await storage.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        var rows = await ResultFilter.LoadAsync(results, settings, cancellationToken).ConfigureAwait(false);

        switch (settings.Format.ToUpperInvariant())
        {
            case "CSV":
                ResultsCsv.Write(RawOutput.Writer, rows);
                break;
            case "JSON":
                ResultsJson.Write(RawOutput.Writer, rows);
                break;
            default:
                if (rows.Count == 0)
                {
                    AnsiConsole.MarkupLineInterpolated($"No results under prefix '{settings.Prefix ?? ""}' matching the filters.");
                }
                else
                {
                    ResultViewTable.Write(rows, settings.Prefix ?? "");
                    var failed = rows.Count(r => !r.Succeeded);
                    AnsiConsole.MarkupLineInterpolated($"{rows.Count} rows: [green]{rows.Count - failed} succeeded[/], [red]{failed} failed[/].");
                    if (OtherHosts.RowsPerModel(rows.Select(r => r.Model)) is { } perModel)
                    {
                        AnsiConsole.MarkupLineInterpolated($"[yellow]Rows come from more than one model:[/] {perModel}.");
                    }
                }

                break;
        }

        return rows.Count == 0 ? ExitCodes.NoResults : ExitCodes.Success;
    }
}
