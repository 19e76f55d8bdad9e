using CarClassifier.Cli.Output;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Results;
using CarClassifier.Core.Storage;
using Spectre.Console;
using Microsoft.Extensions.Options;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Report;

/// <summary>Writes a static HTML gallery of the rows under a prefix: thumbnails, top-5 with bars, failures with reasons.</summary>
public sealed class ReportCommand(
    StorageConnection connection, StorageClientFactory storage, ResultStore results, IOptions<ClassifierOptions> options, DecodeMemoryBudget memory)
    : AsyncCommand<ReportSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReportSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var outDir = Path.GetFullPath(settings.Out);
        var rows = await ResultFilter.LoadAsync(results, settings, cancellationToken).ConfigureAwait(false);

        if (rows.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"No results under prefix '{settings.Prefix ?? ""}' matching the filters: no report written.");
            return ExitCodes.NoResults;
        }

        Directory.CreateDirectory(Path.Combine(outDir, ReportThumbnails.Folder));
        Directory.CreateDirectory(Path.Combine(outDir, ReportThumbnails.FullFolder));
        var thumbnails = new ReportThumbnails(options.Value.ToImageLimits(), options.Value.MaxBlobBytes, memory);
        var cards = new (ResultView Row, string? Thumb, string? ThumbProblem)[rows.Count];
        var fulls = new Dictionary<string, string>(StringComparer.Ordinal);
        await CliConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("Thumbnails", maxValue: rows.Count);
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, rows.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = cancellationToken },
                    async (i, ct) =>
                    {
                        var row = rows[i];
                        // A name with '.' or '..' segments would fetch another blob's pixels: no preview, its row says why.
                        var (thumb, full, problem) = BlobNameAddressing.IsAddressable(row.BlobName)
                            ? await thumbnails.WriteAsync(container.GetBlobClient(row.BlobName), row.BlobPath, outDir, settings.ThumbSize, ct).ConfigureAwait(false)
                            : (null, null, "No preview: the blob's name cannot be addressed (see its row).");
                        cards[i] = (row, thumb, problem);
                        if (full is not null)
                        {
                            lock (fulls) fulls[row.BlobPath] = full;
                        }
                        task.Increment(1);
                    }).ConfigureAwait(false);
            }).ConfigureAwait(false);

        var index = Path.Combine(outDir, "index.html");
        var models = await ReportModels.LoadAsync(rows, cancellationToken).ConfigureAwait(false);
        var html = ReportPage.Build(settings.Title ?? "Car classifier report", settings.Prefix ?? "", cards, models, DateTimeOffset.UtcNow, fulls);
        await File.WriteAllTextAsync(index, html, cancellationToken).ConfigureAwait(false);
        var failed = rows.Count(r => !r.Succeeded);
        AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{index}[/]: {rows.Count} images ([green]{rows.Count - failed} classified[/], [red]{failed} failed[/]). Open it in a browser; it works offline.");
        if (settings.Open && ReportOpener.TryOpen(index, Environment.GetEnvironmentVariable("PATH")) is { } notOpened)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]{notOpened}[/]");
        }

        return ExitCodes.Success;
    }
}
