using CarClassifier.Cli.Output;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Models;
using CarClassifier.Training.Data;
using CarClassifier.Training.Pipeline;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Train;

/// <summary>Progress bars and error messages shared by <c>train</c> and <c>evaluate</c>.</summary>
internal static class TrainingConsole
{
    /// <summary>Runs <paramref name="work"/> under a progress bar that shows the stage, images/s and ETA (plain output when not interactive).</summary>
    public static async Task<T> WithProgressAsync<T>(bool show, Func<IProgress<TrainingProgress>?, Task<T>> work)
    {
        if (!show) return await work(null).ConfigureAwait(false);
        T result = default!;
        await CliConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("Scanning", maxValue: 1);
                var progress = new SynchronousProgress<TrainingProgress>(p =>
                {
                    if (p.Epoch is { } e)
                    {
                        task.MaxValue = e.Epochs;
                        task.Value = e.Epoch;
                        task.Description = $"Epoch {e.Epoch}/{e.Epochs}: train {e.TrainAccuracy:P0}, hold-out {e.HoldoutAccuracy:P0}{(e.Best ? " (best)" : "")}, ETA {e.Remaining:mm\\:ss}";
                        AnsiConsole.MarkupLineInterpolated(
                            $"epoch {e.Epoch,3}/{e.Epochs}  loss {e.TrainLoss:F3}  train {e.TrainAccuracy:P1}  hold-out {e.HoldoutAccuracy:P1} (loss {e.HoldoutLoss:F3}){(e.Best ? "  best" : "")}  {e.Elapsed:hh\\:mm\\:ss} elapsed, at most {e.Remaining:hh\\:mm\\:ss} left");
                    }
                    else if (p.Images is { } images)
                    {
                        task.MaxValue = Math.Max(1, images.Total);
                        task.Value = images.Done;
                        task.Description = $"Extracting features ({images.Done}/{images.Total}, {images.ImagesPerSecond:F1} images/s)";
                    }
                    else
                    {
                        task.Description = p.Stage switch
                        {
                            TrainingStage.Scanning => "Scanning images",
                            TrainingStage.LoadingBase => "Loading the base model",
                            TrainingStage.Extracting => "Extracting features",
                            TrainingStage.FittingHead => "Training",
                            TrainingStage.Exporting => "Exporting the model",
                            _ => "Done",
                        };
                        if (p.Stage == TrainingStage.Done) task.Value = task.MaxValue;
                    }
                });
                result = await work(progress).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result;
    }

    /// <summary>Maps what can go wrong to a one-line message and an exit code; null when the exception is not ours to explain.</summary>
    public static int? Explain(Exception ex, string baseModel)
    {
        switch (ex)
        {
            case DatasetException or DirectoryNotFoundException:
                CliConsole.Error.MarkupLineInterpolated($"[red]Bad data:[/] {ex.Message}");
                return ExitCodes.Usage;
            case ModelUnavailableException unavailable:
                // What works first: the packaged base needs no network. Core's own fix (copy the file, or a generated
                // model: meaningless features for training) follows as the detail.
                CliConsole.Error.MarkupLineInterpolated($"[red]Base model '{baseModel}' is not available[/]{(unavailable.InnerException is { } cause ? $": {StorageErrors.Cause(cause)}" : "")}.");
                CliConsole.Error.MarkupLine("Use [bold]--base resnet18-imagenet-features[/]: an ImageNet ResNet-18 restored from NuGet by the build, it works offline.");
                CliConsole.Error.MarkupLineInterpolated($"[grey]Details: {ex.Message}[/]");
                return ExitCodes.ModelUnavailable;
            case ModelIntegrityException:
                CliConsole.Error.MarkupLineInterpolated($"[red]Model '{baseModel}' is not available:[/] {ex.Message}");
                CliConsole.Error.MarkupLine("Use [bold]--base resnet18-imagenet-features[/]: an ImageNet ResNet-18 restored from NuGet by the build, it works offline.");
                return ExitCodes.ModelUnavailable;
            case InvalidDataException or FileNotFoundException:
                CliConsole.Error.MarkupLineInterpolated($"[red]Model problem:[/] {ex.Message}");
                return ExitCodes.ModelUnavailable;
            case OperationCanceledException:
                AnsiConsole.MarkupLine("[yellow]Cancelled.[/] Nothing half-written was left: models and cached features are written whole or not at all.");
                return ExitCodes.Cancelled;
            default:
                return null;
        }
    }

    public static void PrintSkipped(IReadOnlyList<SkippedFile> skipped)
    {
        if (skipped.Count == 0) return;
        AnsiConsole.MarkupLineInterpolated($"[yellow]Skipped {skipped.Count} file{(skipped.Count == 1 ? "" : "s")}:[/]");
        foreach (var file in skipped) AnsiConsole.MarkupLineInterpolated($"  {file.RelativePath}: {file.Reason}");
    }

    /// <summary>Reports on the calling thread, so the bar never lags behind or updates after the work ended.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
