using CarClassifier.Cli.Output;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Upload;

/// <summary>
/// Uploads a folder to the images container in parallel. Resumable: a file whose blob already exists with
/// the same size and Content-MD5 is skipped, so running it again after an interruption sends only what is missing
/// (and does not re-classify what was done).
/// </summary>
public sealed class UploadCommand(StorageConnection connection, StorageClientFactory storage, UploadClaims claims) : AsyncCommand<UploadSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, UploadSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string folder;
        IReadOnlyList<string> files;
        if (File.Exists(settings.Folder))
        {
            // One file: its blob name is the prefix plus its file name.
            var file = Path.GetFullPath(settings.Folder);
            folder = Path.GetDirectoryName(file)!;
            files = [file];
        }
        else if (Directory.Exists(settings.Folder))
        {
            folder = Path.GetFullPath(settings.Folder);
            files = ImageFolder.List(folder);
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Folder not found:[/] {settings.Folder}");
            return ExitCodes.Usage;
        }

        var include = new PathPatterns(settings.Include);
        var exclude = new PathPatterns(settings.Exclude);
        var all = files.Count;
        files = files.Where(f =>
        {
            var relative = Path.GetRelativePath(folder, f).Replace('\\', '/');
            return (include.IsEmpty || include.Matches(relative)) && !exclude.Matches(relative);
        }).ToList();
        if (files.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]No files to upload in[/] {folder}{(all > 0 ? $" ({all} files, none matching --include/--exclude)" : "")}.");
            return ExitCodes.Usage;
        }

        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var prefix = settings.NormalizedPrefix;
        var claim = !settings.DryRun && (settings.ClaimChecks == "on" || (settings.ClaimChecks == "auto" && UploadClaims.AppliesTo(container.Uri)));

        var uploaded = 0;
        var skipped = 0;
        var failures = new ConcurrentBag<(string File, string Reason)>();
        var wouldSend = new ConcurrentBag<string>();
        long bytes = 0;
        var watch = Stopwatch.StartNew();
        try
        {
            await CliConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(settings.DryRun ? "Comparing" : "Uploading", maxValue: files.Count);
                    await Parallel.ForEachAsync(
                        files,
                        new ParallelOptions { MaxDegreeOfParallelism = settings.Parallel, CancellationToken = cancellationToken },
                        async (file, ct) =>
                        {
                            var name = prefix + Path.GetRelativePath(folder, file).Replace('\\', '/');
                            try
                            {
                                var sent = await UploadOneAsync(container.GetBlobClient(name), file, settings.Force, ct, settings.DryRun).ConfigureAwait(false);
                                if (sent is { } etag && claim)
                                {
                                    await claims.ClaimAsync(PipelineNames.ImagesContainer, name, etag, new FileInfo(file).Length, ct).ConfigureAwait(false);
                                }

                                if (sent is not null)
                                {
                                    Interlocked.Increment(ref uploaded);
                                    Interlocked.Add(ref bytes, new FileInfo(file).Length);
                                    if (settings.DryRun) wouldSend.Add(name);
                                }
                                else
                                {
                                    Interlocked.Increment(ref skipped);
                                }
                            }
                            catch (Exception ex) when (ex is RequestFailedException or IOException or UnauthorizedAccessException)
                            {
                                failures.Add((file, ex.Message.Split('\n')[0]));
                            }

                            task.Increment(1);
                            if (!settings.DryRun)
                            {
                                task.Description = $"Uploading: {Volatile.Read(ref uploaded)} sent, {Volatile.Read(ref skipped)} unchanged, {Interlocked.Read(ref bytes) / 1048576.0 / Math.Max(watch.Elapsed.TotalSeconds, 0.001):F1} MiB/s";
                            }
                        }).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Stopped.[/] {uploaded} uploaded so far; run the same command again to resume.");
            return ExitCodes.Cancelled;
        }

        var seconds = Math.Max(watch.Elapsed.TotalSeconds, 0.001);
        if (settings.DryRun)
        {
            foreach (var name in wouldSend.Order(StringComparer.Ordinal).Take(20)) AnsiConsole.MarkupLineInterpolated($"  would upload {name}");
            if (wouldSend.Count > 20) AnsiConsole.MarkupLineInterpolated($"  ... and {wouldSend.Count - 20} more");
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]{files.Count}[/] files: {uploaded} would be uploaded ({bytes / 1048576.0:F1} MiB), {skipped} unchanged, {failures.Count} unreadable. Nothing was uploaded (--dry-run).");
            return failures.IsEmpty ? ExitCodes.Success : ExitCodes.UploadFailed;
        }

        AnsiConsole.MarkupLineInterpolated(
            $"[bold]{files.Count}[/] files: [green]{uploaded} uploaded[/] ({bytes / 1048576.0:F1} MiB, {uploaded / seconds:F1} files/s, {bytes / 1048576.0 / seconds:F1} MiB/s), [grey]{skipped} unchanged (skipped)[/], [red]{failures.Count} failed[/] in {seconds:F1} s.");
        foreach (var (file, reason) in failures.OrderBy(f => f.File, StringComparer.Ordinal))
        {
            AnsiConsole.MarkupLineInterpolated($"  [red]failed[/] {Path.GetRelativePath(folder, file)}: {reason}");
        }

        CliConsole.Hint($"Blobs are in container [bold]{PipelineNames.ImagesContainer}[/] under [bold]{(prefix.Length == 0 ? "(no prefix)" : prefix)}[/]. Next: carclass watch --prefix \"{prefix}\"");
        return failures.IsEmpty ? ExitCodes.Success : ExitCodes.UploadFailed;
    }

    /// <summary>Uploads one file unless its blob already holds the same bytes: the new blob's ETag, or null when unchanged.</summary>
    /// <param name="dryRun">Compare only: an empty string when it would be sent.</param>
    internal static async Task<string?> UploadOneAsync(BlobClient blob, string file, bool force, CancellationToken cancellationToken, bool dryRun = false)
    {
        byte[] md5;
        long length;
        await using (var stream = File.OpenRead(file))
        {
            length = stream.Length;
            md5 = await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        if (!force)
        {
            try
            {
                var existing = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                if (existing.ContentLength == length && existing.ContentHash is { } hash && hash.AsSpan().SequenceEqual(md5)) return null;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Not there yet: upload it.
            }
        }

        if (dryRun) return "";

        // Content-MD5 is set explicitly: the SDK only sets it for single-shot uploads, and the next run compares against it.
        await using var content = File.OpenRead(file);
        var uploaded = await blob.UploadAsync(
            content,
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentHash = md5, ContentType = ContentTypes.For(file) } },
            cancellationToken).ConfigureAwait(false);
        return uploaded.Value.ETag.ToString();
    }
}
