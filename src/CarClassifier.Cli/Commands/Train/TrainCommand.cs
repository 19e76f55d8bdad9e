using CarClassifier.Cli.Output;
using System.Globalization;
using System.Text.Json;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Models;
using CarClassifier.Training.FineTuning;
using CarClassifier.Training.Head;
using CarClassifier.Training.Pipeline;
using Spectre.Console.Cli;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Train;

/// <summary>
/// <c>carclass train</c>: a labelled folder in, a served-as-is model out (manifest.json + labels.txt in --out, weights in
/// the model cache). With --cross-validate it measures instead. Exit: 0 done, 2 bad arguments or data, 3 base model
/// unavailable, 130 Ctrl+C.
/// </summary>
public sealed class TrainCommand(IModelWeightsGenerator generator) : AsyncCommand<TrainSettings>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public override async Task<int> ExecuteAsync(CommandContext context, TrainSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string baseManifest;
        try
        {
            baseManifest = ModelLocator.ResolveManifest(settings.Base);
        }
        catch (FileNotFoundException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return ExitCodes.Usage;
        }

        var request = new TrainRequest
        {
            DataFolder = settings.Data!,
            BaseManifestPath = baseManifest,
            OutFolder = settings.Out ?? ".",
            Name = settings.Name,
            ModelCacheDirectory = settings.Cache,
            Classifier = new ClassifierOptions { Decoder = settings.Decoder.ToLowerInvariant(), ModelCacheDirectory = settings.Cache },
            Head = new HeadSettings { Flips = !settings.NoFlips, Seed = settings.Seed },
            BatchSize = settings.BatchSize,
            NoCache = settings.NoFeatureCache,
            FineTune = settings.Frozen ? null : new FineTuneSettings
            {
                Epochs = settings.Epochs,
                Seed = settings.Seed,
                Flips = !settings.NoFlips,
                Budget = settings.MaxMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
            },
            Generator = generator,
        };
        var table = settings.Format == "table";
        try
        {
            if (settings.CrossValidate is { } folds)
            {
                var report = await TrainingConsole.WithProgressAsync(table, p => ModelTrainer.CrossValidateAsync(request, folds, p, cancellationToken)).ConfigureAwait(false);
                if (table) PrintCrossValidation(report);
                else RawOutput.Writer.WriteLine(JsonSerializer.Serialize(CrossValidationJson(report), Json));
                return ExitCodes.Success;
            }

            var result = await TrainingConsole.WithProgressAsync(table, p => ModelTrainer.TrainAsync(request, p, cancellationToken)).ConfigureAwait(false);
            if (table) PrintTraining(result);
            else RawOutput.Writer.WriteLine(JsonSerializer.Serialize(TrainingJson(result), Json));

            // Ctrl+C during fine-tuning: the best epoch so far was written; the exit code still says it was interrupted.
            return cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Success;
        }
        catch (Exception ex) when (TrainingConsole.Explain(ex, settings.Base) is { } code)
        {
            return code;
        }
    }

    private static void PrintTraining(TrainResult result)
    {
        TrainingConsole.PrintSkipped(result.Skipped);
        var classes = new Table().AddColumn("class").AddColumn(new TableColumn("images").RightAligned());
        foreach (var c in result.Provenance.Classes) classes.AddRow(Markup.Escape(c.Name), c.Images.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(classes);
        var e = result.Extraction;
        AnsiConsole.MarkupLineInterpolated(
            $"Features: {e.Extracted} extracted ({e.ImagesPerSecond:F1} images/s with mirror images), {e.FromCache} from the cache.");
        if (result.Provenance.Validation is { } v && result.Fit is { } fit)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"Head: L2 {v.Lambda.ToString("G3", CultureInfo.InvariantCulture)} chosen on a {v.ValidationImages}-image stratified hold-out: {v.Accuracy:P1} top-1 there; fitted in {fit.Elapsed.TotalSeconds:F1} s.");
        }

        if (result.Provenance.FineTuning is { } t)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"Fine-tuned from {t.TrainedFrom} on {t.TrainImages} photos in {t.TrainingSeconds:F0} s; best epoch {t.BestEpoch} of {t.EpochsRun} ({t.Stopped}).");
            AnsiConsole.MarkupLineInterpolated(
                $"Hold-out ({t.HoldoutImages} photos, stratified): {t.HoldoutAccuracy:P1} top-1, 95 % interval {t.HoldoutLow:P0}-{t.HoldoutHigh:P0}; temperature {t.Temperature:F2} (ECE {t.EceBefore:F3} -> {t.EceAfter:F3}).");
        }

        AnsiConsole.MarkupLineInterpolated($"[green]Trained[/] {result.Identity}");
        AnsiConsole.MarkupLineInterpolated($"  manifest: {result.ManifestPath}");
        AnsiConsole.MarkupLineInterpolated($"  weights:  {result.ModelPath}");
        CliConsole.Hint($"Next: carclass evaluate --model {result.ManifestPath} --data <held-out folder>, then scripts/run.sh --model {result.ManifestPath}");
    }

    /// <summary>The result as JSON, with the time split the fine-tuning benchmark needs: decode, the cached forward pass, training.</summary>
    private static object TrainingJson(TrainResult result) => new
    {
        manifest = result.ManifestPath,
        model = result.ModelPath,
        result.Identity,
        times = new
        {
            extracted = result.Extraction.Extracted,
            fromCache = result.Extraction.FromCache,
            decodeSeconds = (result.Extraction.Elapsed - result.Extraction.Inference).TotalSeconds,
            forwardSeconds = result.Extraction.Inference.TotalSeconds,
            trainingSeconds = result.FineTune?.TrainingTime.TotalSeconds ?? result.Fit?.Elapsed.TotalSeconds,
            processors = Environment.ProcessorCount,
        },
        provenance = result.Provenance,
        epochs = result.FineTune?.History,
    };

    private static void PrintCrossValidation(CrossValidationReport report)
    {
        TrainingConsole.PrintSkipped(report.Skipped);
        var cv = report.CrossValidation;
        var table = new Table().AddColumn("method").AddColumn(new TableColumn($"{cv.Folds}-fold top-1").RightAligned()).AddColumn("per fold");
        table.AddRow("softmax head (L2 chosen per fold)", $"{cv.HeadMean:P1} ± {cv.HeadStd:P1}", string.Join(" ", cv.HeadTop1.Select(a => a.ToString("P0", CultureInfo.InvariantCulture))));
        if (report.FineTuned is { } f)
        {
            table.AddRow("last stage + head fine-tuned", $"{f.Mean:P1} ± {f.Std:P1}", string.Join(" ", f.Top1.Select(a => a.ToString("P0", CultureInfo.InvariantCulture))));
        }

        table.AddRow("nearest class mean (baseline)", $"{cv.BaselineMean:P1} ± {cv.BaselineStd:P1}", string.Join(" ", cv.BaselineTop1.Select(a => a.ToString("P0", CultureInfo.InvariantCulture))));
        AnsiConsole.MarkupLineInterpolated($"{report.Images} images, {report.Classes} classes, base {report.Base}");
        AnsiConsole.Write(table);
        var e = report.Extraction;
        AnsiConsole.MarkupLineInterpolated(
            $"Feature extraction: {e.Extracted} images in {e.Elapsed.TotalSeconds:F1} s = {e.ImagesPerSecond:F1} images/s (each with its mirror: {e.TensorsPerSecond:F1} tensors/s inside ONNX Runtime); {e.FromCache} from the cache.");
        AnsiConsole.MarkupLineInterpolated($"Head fit on all images (L2 search + refit): {report.HeadFit.TotalSeconds:F2} s.");
        if (report.FineTuned is { } tuned)
        {
            var t = tuned;
            AnsiConsole.MarkupLineInterpolated(
                $"Fine-tuning: activations below the last stage {t.Extraction.Extracted} extracted in {t.Extraction.Elapsed.TotalSeconds:F1} s ({t.Extraction.FromCache} from the cache); {report.CrossValidation.Folds} trainings in {t.Training.TotalSeconds:F0} s; calibration error on the held-out folds {t.Ece.Average():F3} -> {t.CalibratedEce.Average():F3} after the temperature.");
        }
    }

    private static object CrossValidationJson(CrossValidationReport report) => new
    {
        report.Data,
        report.Base,
        report.Classes,
        report.Images,
        folds = report.CrossValidation.Folds,
        head = new { mean = report.CrossValidation.HeadMean, std = report.CrossValidation.HeadStd, perFold = report.CrossValidation.HeadTop1, lambdas = report.CrossValidation.Lambdas },
        nearestClassMean = new { mean = report.CrossValidation.BaselineMean, std = report.CrossValidation.BaselineStd, perFold = report.CrossValidation.BaselineTop1 },
        extraction = new
        {
            extracted = report.Extraction.Extracted,
            fromCache = report.Extraction.FromCache,
            seconds = report.Extraction.Elapsed.TotalSeconds,
            imagesPerSecond = report.Extraction.ImagesPerSecond,
            tensorsPerSecond = report.Extraction.TensorsPerSecond,
        },
        headFitSeconds = report.HeadFit.TotalSeconds,
        fineTuned = report.FineTuned is { } t
            ? new
            {
                mean = t.Mean,
                std = t.Std,
                perFold = t.Top1,
                bestEpochs = t.BestEpochs,
                ece = new { before = t.Ece, afterTemperature = t.CalibratedEce },
                extraction = new { extracted = t.Extraction.Extracted, fromCache = t.Extraction.FromCache, seconds = t.Extraction.Elapsed.TotalSeconds, inferenceSeconds = t.Extraction.Inference.TotalSeconds },
                trainingSeconds = t.Training.TotalSeconds,
            }
            : null,
        crossValidationSeconds = report.CrossValidation.Elapsed.TotalSeconds,
        skipped = report.Skipped,
    };
}
