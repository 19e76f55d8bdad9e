using CarClassifier.Cli.Output;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Models;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Model;

/// <summary>The shared body of <c>model download</c> and <c>model generate</c>: fetch the weights with progress, then verify them.</summary>
internal static class ModelFetch
{
    /// <returns>0 ready; 2 the manifest has no source (download) or generator (generate); 3 fetching or verifying failed.</returns>
    public static async Task<int> FetchAsync(ModelStore store, ModelManifest manifest, bool download, CancellationToken cancellationToken)
    {
        if (download ? manifest.Source is null : manifest.Generator is null)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[red]{manifest.Name} cannot be {(download ? "downloaded" : "generated")}:[/] its manifest has no {(download ? "source" : "generator")}. Use 'carclass model {(download ? "generate" : "download")} {manifest.Name}'.");
            return ExitCodes.Usage;
        }

        var options = new ModelEnsureOptions { AllowDownload = download, AllowGenerate = !download, ReplaceCorruptFile = true };
        try
        {
            string path = "";
            await CliConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(download ? "Downloading" : "Generating", maxValue: Math.Max(1, manifest.SizeBytes));
                    var progress = new Progress<ModelProgress>(p =>
                    {
                        task.Description = p.Stage.ToString();
                        if (p.TotalBytes is > 0) task.MaxValue = p.TotalBytes.Value;
                        task.Value = Math.Min(p.BytesDone, task.MaxValue);
                    });
                    path = await store.EnsureModelAsync(manifest, options, progress, cancellationToken).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                }).ConfigureAwait(false);
            AnsiConsole.MarkupLineInterpolated($"[green]Ready:[/] {path} (sha256 {manifest.Sha256}).");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ModelErrors.IsModelProblem(ex) || ex is HttpRequestException or IOException)
        {
            ModelErrors.Explain(ex, manifest);
            return ExitCodes.ModelUnavailable;
        }
    }
}
