using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CarClassifier.Core.Models;
using CarClassifier.Training.Backbone;
using CarClassifier.Training.Data;
using CarClassifier.Training.Export;
using CarClassifier.Training.Features;
using CarClassifier.Training.Head;

namespace CarClassifier.Training.Pipeline;

/// <summary>
/// <c>carclass train</c> without the console: scan and check the labelled folder, load the base model cut at its
/// features, extract (or read cached) features through the serving decode path, fit the head, export one ONNX graph to
/// the model cache and write manifest.json + labels.txt. Nothing is written until the end, and every file is written
/// to a temporary name and renamed, so a cancelled run leaves no half-written model behind.
/// </summary>
public static class ModelTrainer
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<TrainResult> TrainAsync(TrainRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (File.Exists(request.OutFolder)) throw new DatasetException($"--out '{request.OutFolder}' is a file; it must be a folder (it is created if missing).");
        var name = request.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.OutFolder)));
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new DatasetException($"Model name '{name}' may hold only letters, digits, '-', '_' and '.'; pass --name.");
        }

        progress?.Report(new TrainingProgress(TrainingStage.Scanning));
        var dataset = await LabelledFolder.ScanAsync(request.DataFolder, request.Classifier.ToImageLimits(), cancellationToken).ConfigureAwait(false);
        LabelledFolder.CheckTrainable(dataset);

        progress?.Report(new TrainingProgress(TrainingStage.LoadingBase));
        var store = new ModelStore(request.ModelCacheDirectory, generator: request.Generator);
        var backbone = await new BackboneLoader(store).LoadAsync(request.BaseManifestPath, cancellationToken).ConfigureAwait(false);

        if (request.FineTune is { } fineTune)
        {
            return await FineTuneAsync(request, fineTune, name, dataset, backbone, progress, cancellationToken).ConfigureAwait(false);
        }

        var features = await ExtractAsync(backbone, dataset, request, progress, cancellationToken).ConfigureAwait(false);

        progress?.Report(new TrainingProgress(TrainingStage.FittingHead));
        var fit = await Task.Run(
            () => HeadFitter.Fit(features.Original, features.Flipped, features.Labels, dataset.Classes.Count, request.Head, cancellationToken),
            cancellationToken).ConfigureAwait(false);

        progress?.Report(new TrainingProgress(TrainingStage.Exporting));
        var skipped = dataset.Skipped.Concat(features.Skipped).ToList();
        var used = dataset with { Images = features.Images };
        var provenance = Provenance(request, backbone, used, skipped.Count) with
        {
            Validation = new ValidationProvenance(fit.Lambda, fit.Chosen.Accuracy, fit.Chosen.LogLoss, fit.TrainImages, fit.ValidationImages, fit.Path),
        };
        var onnx = HeadExporter.Export(backbone, fit.Head, $"{name}: {dataset.Classes.Count} classes on {backbone.BaseManifest.Identity}");
        var description = $"Trained by carclass train: {dataset.Classes.Count} classes, {provenance.Images} images, on frozen {backbone.BaseManifest.Name} features.";
        var result = await WriteAsync(request, name, backbone, onnx, description, provenance, dataset.Classes, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TrainingProgress(TrainingStage.Done));
        return new TrainResult(result.ManifestPath, result.ModelPath, result.Identity, fit, features.Stats, skipped, provenance);
    }

    /// <summary>
    /// The default path: activations below the last stage through the serving decode path (cached), then the last
    /// stage and a new head trained in TorchSharp, then the learned values written back into the base graph's
    /// initializers with the head (temperature folded in) appended. Ctrl+C during training keeps the best epoch so far
    /// and still writes it (the result says it was interrupted).
    /// </summary>
    private static async Task<TrainResult> FineTuneAsync(
        TrainRequest request, FineTuning.FineTuneSettings settings, string name, LabelledDataset dataset, Backbone.Backbone backbone,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var cut = FineTuning.StemCut.Find(backbone.FeaturesModel.Graph);
        var shape = FineTuning.StemCut.ActivationShape(backbone, cut);
        var stem = await FineTuning.StemCut.StemAsync(backbone, cut, shape, new ModelStore(request.ModelCacheDirectory).CacheDirectory, cancellationToken).ConfigureAwait(false);
        var features = await ExtractAsync(stem, dataset, request, progress, cancellationToken).ConfigureAwait(false);

        progress?.Report(new TrainingProgress(TrainingStage.FittingHead));
        var epochs = progress is null ? null : new RelayProgress<FineTuning.EpochReport>(e => progress.Report(new TrainingProgress(TrainingStage.FittingHead, Epoch: e)));
        var tuned = await Task.Run(
            () => FineTuning.FineTuner.Train(
                backbone.FeaturesModel.Graph, cut, backbone.FeaturesManifest.Output.Name, shape, features.Original, features.Flipped, features.Labels,
                dataset.Classes.Count, settings, epochs, cancellationToken),
            CancellationToken.None).ConfigureAwait(false);

        progress?.Report(new TrainingProgress(TrainingStage.Exporting));
        var skipped = dataset.Skipped.Concat(features.Skipped).ToList();
        var used = dataset with { Images = features.Images };
        var provenance = Provenance(request, backbone, used, skipped.Count) with
        {
            FineTuning = new FineTuneProvenance(
                cut, "frozen ImageNet statistics (inference-mode BatchNormalization); scale and shift trained", tuned.TrainImages, tuned.HoldoutImages,
                tuned.HoldoutAccuracy, tuned.HoldoutLow, tuned.HoldoutHigh, tuned.Temperature, tuned.EceBefore, tuned.EceAfter, tuned.BestEpoch, tuned.EpochsRun,
                tuned.StoppedBecause, tuned.TrainingTime.TotalSeconds, settings),
            Settings = new SettingsProvenance(
                request.Classifier.Decoder, request.BatchSize, settings.Flips, settings.Seed, settings.ValidationFraction, [],
                $"fine-tuned from '{cut}' on: SGD momentum {settings.Momentum}, one-cycle peak {settings.LearningRate} (head x{settings.HeadLearningRateFactor}), label smoothing {settings.LabelSmoothing}, shifts +-{settings.MaxShift} cells, TorchSharp (CarClassifier.Training.FineTuning.FineTuner)"),
        };

        // The temperature is folded into the head (softmax(z / T) = softmax((W / T) x + b / T)), so the served graph is calibrated.
        var inverse = (float)(1 / tuned.Temperature);
        var head = new SoftmaxHead(
            new Standardizer(new float[tuned.Width], [.. Enumerable.Repeat(1f, tuned.Width)]),
            [.. tuned.HeadWeights.Select(v => v * inverse)], [.. tuned.HeadBias.Select(v => v * inverse)], tuned.Classes, tuned.Width);
        var model = FineTuning.StemCut.WithWeights(backbone.FeaturesModel, tuned.StageWeights);
        var tunedBackbone = new Backbone.Backbone(backbone.BaseManifest, backbone.BaseManifestPath, backbone.FeaturesManifest, backbone.FeaturesPath, model);
        var onnx = HeadExporter.Export(tunedBackbone, head, $"{name}: {dataset.Classes.Count} classes, {backbone.BaseManifest.Identity} fine-tuned from {cut}");
        var description = $"Trained by carclass train: {dataset.Classes.Count} classes, {provenance.Images} images, {backbone.BaseManifest.Name} fine-tuned from its last stage.";
        var result = await WriteAsync(request, name, backbone, onnx, description, provenance, dataset.Classes, CancellationToken.None).ConfigureAwait(false);
        progress?.Report(new TrainingProgress(TrainingStage.Done));
        return new TrainResult(result.ManifestPath, result.ModelPath, result.Identity, null, features.Stats, skipped, provenance, tuned);
    }

    /// <summary>
    /// <c>carclass train --cross-validate</c>: the same scan, checks and features as training, then stratified k-fold
    /// cross-validation of the head recipe next to the nearest-class-mean baseline. Writes no model.
    /// </summary>
    public static async Task<CrossValidationReport> CrossValidateAsync(
        TrainRequest request, int folds, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        progress?.Report(new TrainingProgress(TrainingStage.Scanning));
        var dataset = await LabelledFolder.ScanAsync(request.DataFolder, request.Classifier.ToImageLimits(), cancellationToken).ConfigureAwait(false);
        LabelledFolder.CheckTrainable(dataset, minPerClass: folds);
        progress?.Report(new TrainingProgress(TrainingStage.LoadingBase));
        var backbone = await new BackboneLoader(new ModelStore(request.ModelCacheDirectory, generator: request.Generator)).LoadAsync(request.BaseManifestPath, cancellationToken).ConfigureAwait(false);
        var features = await ExtractAsync(backbone, dataset, request, progress, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TrainingProgress(TrainingStage.FittingHead));
        var cv = await Task.Run(
            () => CrossValidation.Run(features.Original, features.Flipped, features.Labels, dataset.Classes.Count, folds, request.Head, cancellationToken),
            cancellationToken).ConfigureAwait(false);

        // One full fit on everything, timed, is the "head training time" users wait for after extraction.
        var fit = await Task.Run(
            () => HeadFitter.Fit(features.Original, features.Flipped, features.Labels, dataset.Classes.Count, request.Head, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        var tuned = request.FineTune is { } settings
            ? await CrossValidateFineTuningAsync(request, settings, folds, dataset, backbone, progress, cancellationToken).ConfigureAwait(false)
            : null;
        progress?.Report(new TrainingProgress(TrainingStage.Done));
        return new CrossValidationReport(
            Path.GetFullPath(request.DataFolder), backbone.BaseManifest.Identity, dataset.Classes.Count, features.Images.Count, cv, features.Stats, fit.Elapsed,
            dataset.Skipped.Concat(features.Skipped).ToList(), tuned);
    }

    /// <summary>Fine-tuning on the same stratified folds as the frozen head (same labels, same seed).</summary>
    private static async Task<FineTuneCrossValidation> CrossValidateFineTuningAsync(
        TrainRequest request, FineTuning.FineTuneSettings settings, int folds, LabelledDataset dataset, Backbone.Backbone backbone,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var graph = backbone.FeaturesModel.Graph;
        var cut = FineTuning.StemCut.Find(graph);
        var shape = FineTuning.StemCut.ActivationShape(backbone, cut);
        var stem = await FineTuning.StemCut.StemAsync(backbone, cut, shape, new ModelStore(request.ModelCacheDirectory).CacheDirectory, cancellationToken).ConfigureAwait(false);
        var features = await ExtractAsync(stem, dataset, request, progress, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TrainingProgress(TrainingStage.FittingHead));
        var labels = features.Labels;
        var fold = StratifiedSplit.Folds(labels, folds, request.Head.Seed);
        var top1 = new List<double>();
        var epochs = new List<int>();
        var ece = new List<double>();
        var calibratedEce = new List<double>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var epochProgress = progress is null ? null : new RelayProgress<FineTuning.EpochReport>(e => progress.Report(new TrainingProgress(TrainingStage.FittingHead, Epoch: e)));
        for (var f = 0; f < folds; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var train = Enumerable.Range(0, labels.Length).Where(i => fold[i] != f).ToArray();
            var test = Enumerable.Range(0, labels.Length).Where(i => fold[i] == f).ToArray();
            var result = await Task.Run(
                () => FineTuning.FineTuner.Train(
                    graph, cut, backbone.FeaturesManifest.Output.Name, shape, [.. train.Select(i => features.Original[i])], [.. train.Select(i => features.Flipped[i])],
                    [.. train.Select(i => labels[i])], dataset.Classes.Count, settings, epochProgress, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var score = FineTuning.FineTuner.Score(graph, cut, backbone.FeaturesManifest.Output.Name, shape, result, features.Original, labels, test);
            top1.Add(score.Top1);
            ece.Add(score.Ece);
            calibratedEce.Add(score.CalibratedEce);
            epochs.Add(result.BestEpoch);
        }

        return new FineTuneCrossValidation(top1, epochs, features.Stats, System.Diagnostics.Stopwatch.GetElapsedTime(started), ece, calibratedEce);
    }

    /// <summary>Features for a checked dataset; re-checks the class counts if some images failed to decode.</summary>
    internal static async Task<FeatureSet> ExtractAsync(
        Backbone.Backbone backbone, LabelledDataset dataset, TrainRequest request, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var cache = request.NoCache ? null : FeatureExtractor.CacheFor(backbone, request.Classifier, request.FeatureCacheDirectory ?? request.ModelCacheDirectory);
        var imageProgress = progress is null ? null : new Progress<RunProgress>(p => progress.Report(new TrainingProgress(TrainingStage.Extracting, p)));
        var features = await FeatureExtractor.ExtractAsync(backbone, dataset, request.Classifier, cache, request.BatchSize, imageProgress, cancellationToken).ConfigureAwait(false);
        if (features.Skipped.Count > 0)
        {
            LabelledFolder.CheckTrainable(dataset with { Images = features.Images });
        }

        return features;
    }

    private static TrainingProvenance Provenance(TrainRequest request, Backbone.Backbone backbone, LabelledDataset used, int skipped) => new()
    {
        Tool = "carclass train",
        TrainedAt = DateTimeOffset.UtcNow,
        Base = new BaseModelProvenance(
            backbone.BaseManifest.Name, backbone.BaseManifest.Version, backbone.BaseManifest.Sha256, backbone.BaseManifest.Identity,
            backbone.FeaturesManifest.Output.Name, backbone.Width),
        Classes = [.. used.Classes.Select((c, i) => new ClassCount(c, used.CountOf(i)))],
        DataFingerprint = used.Fingerprint(),
        Images = used.Images.Count,
        SkippedFiles = skipped,
        ImageSha256 = [.. used.Images.Select(i => i.Sha256).Distinct().Order(StringComparer.Ordinal)],
        Settings = new SettingsProvenance(
            request.Classifier.Decoder, request.BatchSize, request.Head.Flips, request.Head.Seed, request.Head.ValidationFraction, request.Head.Lambdas,
            "softmax regression, L2 on standardised features, L-BFGS (CarClassifier.Training.Head.SoftmaxTrainer)"),
    };

    private static async Task<(string ManifestPath, string ModelPath, string Identity)> WriteAsync(
        TrainRequest request, string name, Backbone.Backbone backbone, Onnx.ModelProto model, string description, TrainingProvenance provenance, IReadOnlyList<string> classes,
        CancellationToken cancellationToken)
    {
        var onnx = OnnxFiles.ToBytes(model);
        var sha = Convert.ToHexStringLower(SHA256.HashData(onnx));
        var manifest = new ModelManifest
        {
            Name = name,
            Version = provenance.TrainedAt.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture),
            Description = description,
            File = $"{name}-{sha[..12]}.onnx",
            Sha256 = sha,
            SizeBytes = onnx.Length,
            Input = backbone.BaseManifest.Input,
            Output = new TensorSpec { Name = HeadExporter.OutputName, Shape = [-1, classes.Count], Kind = OutputKind.Probabilities },
            Preprocess = backbone.BaseManifest.Preprocess,
            Labels = "labels.txt",
            Provenance = JsonSerializer.SerializeToElement(provenance, JsonOptions),
        };
        manifest.Validate();

        var store = new ModelStore(request.ModelCacheDirectory);
        var modelPath = store.GetModelPath(manifest);
        await BackboneLoader.WriteAtomicallyAsync(modelPath, onnx, cancellationToken).ConfigureAwait(false);

        // Labels first, manifest last: a manifest on disk always has its labels and weights in place.
        Directory.CreateDirectory(request.OutFolder);
        var labelsPath = Path.Combine(request.OutFolder, "labels.txt");
        var manifestPath = Path.Combine(request.OutFolder, "manifest.json");
        await BackboneLoader.WriteAtomicallyAsync(labelsPath, Encoding.UTF8.GetBytes(string.Join('\n', classes) + "\n"), CancellationToken.None).ConfigureAwait(false);
        await BackboneLoader.WriteAtomicallyAsync(manifestPath, Encoding.UTF8.GetBytes(manifest.ToJson()), CancellationToken.None).ConfigureAwait(false);
        return (Path.GetFullPath(manifestPath), modelPath, manifest.Identity);
    }
}
