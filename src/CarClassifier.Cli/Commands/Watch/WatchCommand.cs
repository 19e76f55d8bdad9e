using CarClassifier.Cli.Output;
using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using CarClassifier.Core.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Watch;

/// <summary>
/// Follows a batch: polls the blobs under a prefix and their rows, shows uploaded / classified / failed with
/// images/s and an ETA, and exits once every blob has a row for its current version (or on timeout / Ctrl+C).
/// With <c>Classifier__Transport=ServiceBus</c> it also shows the Service Bus queue and its dead letters
/// (<paramref name="serviceBus"/>, registered only on that transport) in place of the storage queue's length.
/// </summary>
public sealed class WatchCommand(StorageConnection connection, StorageClientFactory storage, ResultStore results, ServiceBusQueueDepth? serviceBus = null) : AsyncCommand<WatchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, WatchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;

        // The emulator's listing detours (a blob name XML cannot carry) are news to whoever watches: print them.
        EmulatorListingPolicy.Logger = new ConsoleNoteLogger();
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var queue = serviceBus is null ? storage.CreateQueueClient(PipelineNames.WorkQueue) : null;
        var prefix = settings.Prefix ?? "";

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.TimeoutSeconds > 0) deadline.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        var watch = Stopwatch.StartNew();
        var last = new WatchProgress(0, 0, 0, null);
        var firstDone = -1;
        try
        {
            await CliConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var uploadedTask = progress.AddTask("Uploaded", maxValue: 1);
                    var classifiedTask = progress.AddTask("[green]Classified[/]", maxValue: 1);
                    var failedTask = progress.AddTask("[red]Failed[/]", maxValue: 1);
                    var rateTask = progress.AddTask("measuring...", maxValue: 1).IsIndeterminate();
                    string? listingFailure = null;
                    var retry = TimeSpan.FromMilliseconds(settings.IntervalMilliseconds);
                    while (true)
                    {
                        try
                        {
                            last = await PollAsync(container, results, queue, prefix, deadline.Token, serviceBus).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is System.Xml.XmlException or RequestFailedException { Status: >= 500 })
                        {
                            // A listing the service cannot produce is no reason to stop following the rows: say so once, back off.
                            var cause = ListingFailure.Describe(ex);
                            if (cause != listingFailure) AnsiConsole.MarkupLineInterpolated($"[yellow]Listing {container.Name} failed:[/] {cause}. Still watching.");
                            listingFailure = cause;
                            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                            await Task.Delay(retry, deadline.Token).ConfigureAwait(false);
                            continue;
                        }

                        listingFailure = null;
                        retry = TimeSpan.FromMilliseconds(settings.IntervalMilliseconds);
                        if (firstDone < 0)
                        {
                            firstDone = last.Done;
                            await WatchHints.FirstPollAsync(storage, container, prefix, last, deadline.Token).ConfigureAwait(false);
                        }

                        var max = Math.Max(1, last.Uploaded);
                        uploadedTask.MaxValue = max;
                        uploadedTask.Value = last.Uploaded;
                        uploadedTask.Description = $"Uploaded {last.Uploaded}";
                        classifiedTask.MaxValue = max;
                        classifiedTask.Value = last.Classified;
                        classifiedTask.Description = $"[green]Classified {last.Classified}[/]";
                        failedTask.MaxValue = max;
                        failedTask.Value = last.Failed;
                        failedTask.Description = $"[red]Failed {last.Failed}[/]";
                        rateTask.Description = Markup.Escape(RateLine(last, last.Done - firstDone, watch.Elapsed));
                        if (last.Complete)
                        {
                            rateTask.StopTask();
                            return;
                        }

                        await Task.Delay(settings.IntervalMilliseconds, deadline.Token).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Stopped.[/] {last.Done} of {last.Uploaded} have a row.");
            return ExitCodes.Cancelled;
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Timed out after {settings.TimeoutSeconds} s:[/] {last.Done} of {last.Uploaded} have a row ({last.Failed} failed).");
            return ExitCodes.TimedOut;
        }
        catch (Exception ex) when (StorageErrors.IsStorageProblem(ex))
        {
            StorageConnection.Explain(ex, container.Uri);
            return ExitCodes.StorageUnavailable;
        }

        AnsiConsole.MarkupLineInterpolated(
            $"All [bold]{last.Uploaded}[/] images have a row: [green]{last.Classified} classified[/], [red]{last.Failed} failed[/] ({watch.Elapsed.TotalSeconds:F1} s).");
        if (last.DeadLettered > 0)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[yellow]{last.DeadLettered} message(s) in the Service Bus dead-letter queue.[/] See carclass poison list.");
        }

        CliConsole.Hint($"Next: carclass results --prefix \"{prefix}\"");
        return last.Failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
    }

    internal static string RateLine(WatchProgress progress, int doneWhileWatching, TimeSpan elapsed)
    {
        var rate = doneWhileWatching / Math.Max(elapsed.TotalSeconds, 0.001);
        var remaining = progress.Uploaded - progress.Done;
        var eta = rate > 0 ? TimeSpan.FromSeconds(remaining / rate).ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : "--:--:--";
        var queue = progress.QueueLength is { } q ? $", queue ~{q}" : "";
        var deadLettered = progress.DeadLettered is { } d ? $", dead-lettered {Count(d)}" : "";
        return $"{rate:F1} images/s, ETA {eta}{queue}{deadLettered}";

        static string Count(int n) => n >= ServiceBusQueueDepth.Limit ? $"{n}+" : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Counts the blobs under the prefix and the rows that describe their current version: a row left from an
    /// earlier upload of the same name (other ETag) does not count until the new version is classified.
    /// </summary>
    internal static async Task<WatchProgress> PollAsync(
        BlobContainerClient container, ResultStore results, QueueClient? queue, string prefix, CancellationToken cancellationToken, ServiceBusQueueDepth? serviceBus = null)
    {
        var etags = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            etags[ResultKeys.BlobPath(container.Name, blob.Name)] = (blob.Properties.ETag?.ToString() ?? "").Trim('"');
        }

        int classified = 0, failed = 0;
        await foreach (var row in results.ListAsync(ResultKeys.BlobPath(container.Name, prefix), cancellationToken).ConfigureAwait(false))
        {
            if (!etags.TryGetValue(row.BlobPath, out var etag)) continue;
            if (row.BlobETag is not null && etag.Length > 0 && row.BlobETag.Trim('"') != etag) continue;
            if (row.Status == nameof(ClassificationStatus.Failed)) failed++;
            else classified++;
        }

        int? queueLength = null;
        if (queue is not null)
        {
            try
            {
                queueLength = (await queue.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException)
            {
                // The queue length is a nicety; the rows are what count.
            }
        }

        int? deadLettered = null;
        if (serviceBus is not null)
        {
            try
            {
                (var waiting, var dead) = await serviceBus.CountAsync(cancellationToken).ConfigureAwait(false);
                queueLength = waiting;
                deadLettered = dead;
            }
            catch (Exception ex) when (ex is ServiceBusException or UnauthorizedAccessException)
            {
                // As above: a nicety. (An unreachable namespace shows no counts; the SDK has already retried.)
            }
        }

        return new WatchProgress(etags.Count, classified, failed, queueLength, deadLettered);
    }
}
