using CarClassifier.Cli.Output;
using System.Globalization;
using System.Text.Json;
using CarClassifier.Cli.Commands.Results;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Results;
using CarClassifier.Core.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Batches;

/// <summary>Lists the batches (first path segment of the blob names) with their blob and row counts, newest first.</summary>
public sealed class BatchesCommand(StorageConnection connection, StorageClientFactory storage, ResultStore results) : AsyncCommand<BatchesSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BatchesSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var (batches, truncated) = await BatchPrefixes.ListAsync(container, cancellationToken).ConfigureAwait(false);
        var rows = await BatchPrefixes.CountRowsAsync(results, PipelineNames.ImagesContainer, cancellationToken).ConfigureAwait(false);
        var lines = batches.Select(b =>
        {
            var (ok, failed) = rows.TryGetValue(b.Prefix, out var c) ? c : (0, 0);
            return new BatchLine(b.Prefix, b.Blobs, ok, failed, Math.Max(0, b.Blobs - ok - failed), b.LastModified);
        }).ToList();

        if (settings.Format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            RawOutput.Writer.WriteLine(JsonSerializer.Serialize(lines, ResultsJson.Options));
            RawOutput.Writer.Flush();
            return lines.Count == 0 ? ExitCodes.NoResults : ExitCodes.Success;
        }

        if (lines.Count == 0)
        {
            AnsiConsole.MarkupLine("No batches: the images container is empty. Upload with [bold]carclass upload <FOLDER> --prefix <PREFIX>[/].");
            return ExitCodes.NoResults;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Prefix")
            .AddColumn(new TableColumn("Images").RightAligned())
            .AddColumn(new TableColumn("Succeeded").RightAligned())
            .AddColumn(new TableColumn("Failed").RightAligned())
            .AddColumn(new TableColumn("Pending").RightAligned())
            .AddColumn("Last upload (UTC)");
        foreach (var line in lines)
        {
            table.AddRow(
                Markup.Escape(VisibleText.Escape(line.Prefix.Length == 0 ? "(root)" : line.Prefix)),
                line.Images.ToString(CultureInfo.InvariantCulture),
                $"[green]{line.Succeeded}[/]",
                line.Failed > 0 ? $"[red]{line.Failed}[/]" : "0",
                line.Pending > 0 ? $"[yellow]{line.Pending}[/]" : "0",
                line.LastUpload.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{lines.Count} batches{(truncated ? $" (counted the first {BatchPrefixes.MaxBlobs} blobs only)" : "")}.");
        CliConsole.Hint($"Next: carclass results --prefix <PREFIX>");
        return ExitCodes.Success;
    }

    /// <summary>One batch as <c>--format json</c> writes it.</summary>
    public sealed record BatchLine(string Prefix, int Images, int Succeeded, int Failed, int Pending, DateTimeOffset LastUpload);
}
