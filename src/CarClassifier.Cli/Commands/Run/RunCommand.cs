using CarClassifier.Cli.Output;
using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Storage.Blobs;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Models;
using CarClassifier.Core.Results;
using CarClassifier.Core.Vehicles;
using CarClassifier.Cli.Commands.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Run;

/// <summary>
/// The main job: start the local host against storage, upload a folder of images, show progress and
/// print the results once every uploaded image has a row.
/// </summary>
public sealed class RunCommand(StorageConnection connection, StorageClientFactory storage, ResultStore results, IModelWeightsGenerator generator, UploadClaims claims) : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var folder = settings.Images ?? SampleImages.Find();
        if (folder is null || !Directory.Exists(folder))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Image folder not found:[/] {settings.Images ?? SampleImages.RelativePath}. Pass one with --images.");
            return ExitCodes.Usage;
        }

        var files = ImageFolder.List(folder);
        if (settings.Images is null)
        {
            files = files.Where(f => Path.GetFileName(f) != SampleImages.AttributionFile).ToList();
        }

        if (files.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]No files in[/] {folder}.");
            return ExitCodes.Usage;
        }

        var (manifestPath, manifest, exit) = await ModelLocator.LoadAsync(settings.Model, cancellationToken).ConfigureAwait(false);
        if (manifest is null) return exit;
        ModelBanner.WarnIfMeaningless(manifest);

        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;

        // Before anything is uploaded: a host with another model would label some of these images.
        if (await OtherHosts.ConflictAsync(storage, manifest, cancellationToken).ConfigureAwait(false)) return ExitCodes.OtherModelRunning;

        var hostSettings = new Dictionary<string, string?>(settings.ConnectionSettings())
        {
            ["Classifier:ModelManifest"] = manifestPath,
        };
        if (settings.Decoder is not null) hostSettings["Classifier:Decoder"] = settings.Decoder;

        using var host = LocalHostBuilder.Build(
            hostSettings,
            logging => CliLog.UseFor(logging, quietHosting: true),
            HostHeartbeat.Register);

        // Make sure of the model before anything is uploaded: a run that cannot classify must not leave blobs behind.
        var options = host.Services.GetRequiredService<IOptions<ClassifierOptions>>().Value;
        try
        {
            await CliConsole.Status().StartAsync(
                $"Checking model {manifest.Name}...",
                _ => new ModelStore(Path.GetFullPath(options.ModelCacheDirectory), generator: generator).EnsureModelAsync(
                    manifestPath,
                    new ModelEnsureOptions { AllowDownload = options.AllowModelDownload, AllowGenerate = options.AllowModelGeneration },
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ModelErrors.IsModelProblem(ex))
        {
            ModelErrors.Explain(ex, manifest);
            return ExitCodes.ModelUnavailable;
        }

        // Upload before the host starts, each blob claimed as it lands (UploadClaims: its receipt, then its claim check,
        // as Event Grid hands blobs to the Azure ingest), so the host's trigger only skips them; on an Azure account
        // the Functions app's Event Grid ingest does that instead.
        var prefix = settings.Prefix ?? $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}/";
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var watch = Stopwatch.StartNew();
        IReadOnlyDictionary<string, string> uploaded;
        try
        {
            uploaded = await UploadAsync(container, folder, files, prefix, UploadClaims.AppliesTo(container.Uri) ? claims : null, cancellationToken).ConfigureAwait(false);
            await CliConsole.Status().StartAsync($"Starting the local host and loading {manifest.Name}...", _ => host.StartAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ModelErrors.IsModelProblem(ex))
        {
            ModelErrors.Explain(ex, manifest);
            return ExitCodes.ModelUnavailable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Stopped(0, files.Count, prefix);
        }

        try
        {
            var rows = await WaitForRowsAsync(results, uploaded, TimeSpan.FromSeconds(settings.TimeoutSeconds), cancellationToken).ConfigureAwait(false);
            var elapsed = watch.Elapsed;
            if (cancellationToken.IsCancellationRequested) return Stopped(rows.Count, files.Count, prefix);

            // The same view and columns as `carclass results`: vehicle type and error kind included.
            var query = new ResultQuery(results, VehicleTypeCatalog.FromDefaultLocations());
            var views = new List<ResultView>();
            foreach (var row in rows.Values.OrderBy(r => r.BlobPath, StringComparer.Ordinal))
            {
                views.Add(await query.ToViewAsync(row, CancellationToken.None).ConfigureAwait(false));
            }

            ResultViewTable.Write(views, prefix);
            var failed = rows.Values.Count(r => r.Status == nameof(ClassificationStatus.Failed));
            var missing = files.Count - rows.Count;
            AnsiConsole.MarkupLine(
                $"[bold]{files.Count}[/] images: [green]{rows.Count - failed} succeeded[/], [red]{failed} failed[/]" +
                (missing > 0 ? $", [yellow]{missing} without a row after {settings.TimeoutSeconds} s[/]" : "") +
                $" in {elapsed.TotalSeconds:F1} s ({rows.Count / Math.Max(elapsed.TotalSeconds, 0.001):F1} images/s, upload and model load included) with {Markup.Escape(manifest.Identity)}.");
            if (OtherHosts.RowsPerModel(rows.Values.Select(r => r.Model)) is { } perModel)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]Rows came from more than one model:[/] {perModel}.");
            }

            CliConsole.Hint($"Rows are in table [bold]{PipelineNames.ResultsTable}[/], blob paths starting [bold]{PipelineNames.ImagesContainer}/{prefix}[/].");
            return missing > 0 ? ExitCodes.TimedOut : failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Ctrl+C: how far it got, in one line, and where the rest can be followed.</summary>
    private static int Stopped(int classified, int total, string prefix)
    {
        AnsiConsole.MarkupLineInterpolated($"[yellow]Stopped: {classified} of {total} classified.[/] What was uploaded stays queued for the next host; follow it with carclass watch --prefix \"{prefix}\".");
        return ExitCodes.Cancelled;
    }

    private static async Task<IReadOnlyDictionary<string, string>> UploadAsync(
        BlobContainerClient container, string folder, IReadOnlyList<string> files, string prefix, UploadClaims? claims, CancellationToken cancellationToken)
    {
        var uploaded = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await CliConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var upload = progress.AddTask("Uploaded", maxValue: files.Count);
                await Parallel.ForEachAsync(
                    files,
                    new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                    async (file, ct) =>
                    {
                        var name = prefix + Path.GetRelativePath(folder, file).Replace('\\', '/');
                        var response = await container.GetBlobClient(name).UploadAsync(file, overwrite: true, ct).ConfigureAwait(false);
                        uploaded[ResultKeys.BlobPath(container.Name, name)] = response.Value.ETag.ToString();
                        if (claims is not null) await claims.ClaimAsync(container.Name, name, response.Value.ETag.ToString(), new FileInfo(file).Length, ct).ConfigureAwait(false);
                        upload.Increment(1);
                    }).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return uploaded;
    }

    private static async Task<ConcurrentDictionary<string, ClassificationResult>> WaitForRowsAsync(
        ResultStore results, IReadOnlyDictionary<string, string> uploaded, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var rows = new ConcurrentDictionary<string, ClassificationResult>(StringComparer.Ordinal);
        await CliConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var classified = progress.AddTask("Classified", maxValue: uploaded.Count);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(timeout);
                try
                {
                    while (rows.Count < uploaded.Count)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(500), deadline.Token).ConfigureAwait(false);
                        var pending = uploaded.Where(p => !rows.ContainsKey(p.Key)).ToList();
                        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = deadline.Token }, async (p, ct) =>
                        {
                            var row = await results.GetAsync(p.Key, ct).ConfigureAwait(false);

                            // A row from an earlier upload of the same name does not count: wait for this version's.
                            if (row is not null && row.BlobETag == p.Value && rows.TryAdd(p.Key, row)) classified.Increment(1);
                        }).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Timed out or Ctrl+C: report what we have.
                }
            }).ConfigureAwait(false);
        return rows;
    }
}
