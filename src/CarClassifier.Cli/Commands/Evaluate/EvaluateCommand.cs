using System.Globalization;
using System.Text.Json;
using System.Text;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.Commands.Train;
using CarClassifier.Core.Configuration;
using CarClassifier.Training.Evaluation;
using CarClassifier.Training.Features;
using CarClassifier.Training.Pipeline;
using Spectre.Console.Cli;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Evaluate;

/// <summary>
/// <c>carclass evaluate</c>: top-1, top-5, per-class precision and recall, confusion matrix, worst confusions and
/// calibration of a classifier on a labelled folder, through the serving decode path. Exit: 0 done, 2 bad arguments or
/// data, 3 model unavailable, 130 Ctrl+C.
/// </summary>
public sealed class EvaluateCommand : AsyncCommand<EvaluateSettings>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public override async Task<int> ExecuteAsync(CommandContext context, EvaluateSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string manifest;
        try
        {
            manifest = ModelLocator.ResolveManifest(settings.Model!);
            if (!File.Exists(manifest)) throw new FileNotFoundException($"--model '{settings.Model}': no manifest at '{manifest}'.");
        }
        catch (FileNotFoundException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return ExitCodes.Usage;
        }

        var request = new EvaluateRequest
        {
            ManifestPath = manifest,
            DataFolder = settings.Data!,
            ModelCacheDirectory = settings.Cache,
            Classifier = new ClassifierOptions { Decoder = settings.Decoder.ToLowerInvariant(), ModelCacheDirectory = settings.Cache },
            BatchSize = settings.BatchSize,
        };
        EvaluationReport report;
        try
        {
            report = await TrainingConsole.WithProgressAsync(settings.Format != "json", progress =>
                Evaluator.EvaluateAsync(request, progress is null ? null : new ImageProgress(progress), cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (TrainingConsole.Explain(ex, settings.Model!) is { } code)
        {
            return code;
        }

        var json = JsonSerializer.Serialize(report, Json);
        if (settings.Out is { } folder)
        {
            Directory.CreateDirectory(folder);
            await WriteAsync(Path.Combine(folder, "evaluation.json"), json, CancellationToken.None).ConfigureAwait(false);
            await WriteAsync(Path.Combine(folder, "index.html"), EvaluationPage.Render(report), CancellationToken.None).ConfigureAwait(false);
        }

        switch (settings.Format)
        {
            case "json":
                RawOutput.Writer.WriteLine(json);
                break;
            case "html":
                foreach (var warning in report.Warnings) AnsiConsole.MarkupLineInterpolated($"[yellow]Warning:[/] {warning}");
                AnsiConsole.MarkupLineInterpolated($"top-1 {report.Top1:P1}, top-5 {report.Top5:P1}: page written to {Path.GetFullPath(Path.Combine(settings.Out!, "index.html"))}");
                break;
            default:
                PrintTable(report);
                break;
        }

        return ExitCodes.Success;
    }

    private static async Task WriteAsync(string path, string text, CancellationToken cancellationToken)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await File.WriteAllTextAsync(temp, text, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static void PrintTable(EvaluationReport report)
    {
        TrainingConsole.PrintSkipped(report.Skipped);
        foreach (var warning in report.Warnings) AnsiConsole.MarkupLineInterpolated($"[yellow]Warning:[/] {warning}");
        AnsiConsole.MarkupLineInterpolated($"{report.Identity} on {report.Images} images: [bold]top-1 {report.Top1:P1}[/], top-5 {report.Top5:P1}, ECE {report.Ece:F3}");
        var perClass = new Table().AddColumn("class").AddColumn(new TableColumn("images").RightAligned())
            .AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned());
        foreach (var c in report.PerClass) perClass.AddRow(Markup.Escape(c.Class), c.Support.ToString(CultureInfo.InvariantCulture), c.Precision.ToString("P1", CultureInfo.InvariantCulture), c.Recall.ToString("P1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(perClass);

        var confusion = new Table().AddColumn("true \\ predicted");
        foreach (var column in report.Confusion.Columns) confusion.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
        for (int r = 0; r < report.Confusion.Rows.Count; r++)
        {
            confusion.AddRow([Markup.Escape(report.Confusion.Rows[r]), .. report.Confusion.Counts[r].Select((n, c) => n == 0 ? "." : c == r ? $"[green]{n}[/]" : $"[red]{n}[/]")]);
        }

        AnsiConsole.Write(confusion);
        foreach (var worst in report.WorstConfusions)
        {
            AnsiConsole.MarkupLineInterpolated($"{worst.TrueClass} taken for {worst.PredictedClass}: {worst.Count} (e.g. {string.Join(", ", worst.Examples.Select(e => e.File))})");
        }
    }

    /// <summary>Adapts the evaluator's image progress to the shared progress bar.</summary>
    private sealed class ImageProgress(IProgress<TrainingProgress> inner) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => inner.Report(new TrainingProgress(TrainingStage.Extracting, value));
    }
}
