using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Results;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>Shows the rows under a prefix as a table, CSV, JSON or JSON Lines (or their counts), filtered by status, label / vehicle type and age.</summary>
public sealed class ResultsCommand(StorageConnection connection, StorageClientFactory storage, ResultStore results) : AsyncCommand<ResultsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ResultsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        var all = await ResultFilter.LoadAsync(results, settings, cancellationToken).ConfigureAwait(false);
        var rows = settings.Limit is { } limit ? all.Take(limit).ToList() : all;
        var format = settings.Format.ToUpperInvariant();

        if (settings.Summary)
        {
            var counts = ResultsSummary.Count(all);
            if (format == "JSON") ResultsSummary.WriteJson(RawOutput.Writer, counts);
            else if (all.Count > 0) ResultsSummary.WriteTables(counts);
        }
        else if (format == "CSV")
        {
            ResultsCsv.Write(RawOutput.Writer, rows);
        }
        else if (format == "JSON")
        {
            ResultsJson.Write(RawOutput.Writer, rows);
        }
        else if (format == "JSONL")
        {
            ResultsJson.WriteLines(RawOutput.Writer, rows);
        }
        else if (rows.Count > 0)
        {
            ResultViewTable.Write(rows, settings.Prefix ?? "");
        }

        if (format == "TABLE") await SayWhatWasShownAsync(settings, all, rows, cancellationToken).ConfigureAwait(false);
        return all.Count == 0 ? ExitCodes.NoResults : ExitCodes.Success;
    }

    private async Task SayWhatWasShownAsync(ResultsSettings settings, IReadOnlyList<ResultView> all, IReadOnlyList<ResultView> rows, CancellationToken cancellationToken)
    {
        if (all.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"No results under prefix '{settings.Prefix ?? ""}' matching the filters.");
            var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
            if (!string.IsNullOrEmpty(settings.Prefix) && !await HasBlobsAsync(container, settings.Prefix, cancellationToken).ConfigureAwait(false))
            {
                // A mistyped prefix: say which exist rather than leave the user guessing.
                var (batches, _) = await BatchPrefixes.ListAsync(container, cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLineInterpolated($"No blobs under '{settings.Prefix}'. {BatchPrefixes.Suggest(batches)}");
            }

            return;
        }

        var failed = all.Count(r => !r.Succeeded);
        var shown = rows.Count < all.Count && !settings.Summary ? $" (showing {rows.Count}; --limit)" : "";
        AnsiConsole.MarkupLineInterpolated($"{all.Count} rows: [green]{all.Count - failed} succeeded[/], [red]{failed} failed[/]{shown}.");
        if (OtherHosts.RowsPerModel(all.Select(r => r.Model)) is { } perModel)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Rows come from more than one model:[/] {perModel}.");
        }
    }

    private static async Task<bool> HasBlobsAsync(Azure.Storage.Blobs.BlobContainerClient container, string prefix, CancellationToken cancellationToken)
    {
        await foreach (var _ in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }
}
