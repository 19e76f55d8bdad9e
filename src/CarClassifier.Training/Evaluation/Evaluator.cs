using CarClassifier.Core.Models;
using CarClassifier.Training.Data;
using CarClassifier.Training.Features;
using CarClassifier.Training.Head;

namespace CarClassifier.Training.Evaluation;

/// <summary>
/// Runs a classifier over a labelled folder through the serving decode path and measures it: top-1, top-5, per-class
/// precision and recall, the confusion matrix, the worst confusions and calibration. Every class folder must name one
/// of the model's labels; that is checked before any image is decoded.
/// </summary>
public static class Evaluator
{
    private const int WorstConfusionCount = 5;
    private const int ExamplesPerConfusion = 3;

    public static async Task<EvaluationReport> EvaluateAsync(EvaluateRequest request, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var manifest = await ModelManifest.LoadAsync(request.ManifestPath, cancellationToken).ConfigureAwait(false);
        var labels = await ModelStore.LoadLabelsAsync(request.ManifestPath, manifest, cancellationToken).ConfigureAwait(false);
        var dataset = await LabelledFolder.ScanAsync(request.DataFolder, request.Classifier.ToImageLimits(), cancellationToken).ConfigureAwait(false);

        var labelIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++) labelIndex.TryAdd(labels[i], i);
        var unknown = dataset.Classes.Where(c => !labelIndex.ContainsKey(c)).ToList();
        if (unknown.Count > 0)
        {
            throw new DatasetException(
                $"class folder{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(c => $"'{c}'"))} " +
                $"{(unknown.Count == 1 ? "is" : "are")} not among model '{manifest.Name}''s {labels.Count} labels; rename the folder to a label or leave it out.");
        }

        if (dataset.Images.Count == 0) throw new DatasetException($"--data '{request.DataFolder}' has no readable images.");
        var warnings = LabelledFolder.ConflictingDuplicates(dataset).ToList();
        var seen = SeenInTraining(manifest, dataset);
        if (seen.Count > 0)
        {
            warnings.Insert(0,
                $"{seen.Count} of {dataset.Images.Count} photos were in this model's training data (same content sha256, whatever the file name): " +
                $"the scores below are not a test of it. Evaluate on photos kept out of --data. For example: {string.Join(", ", seen.Take(5))}.");
        }

        var local = await new ModelStore(request.ModelCacheDirectory).LoadAsync(request.ManifestPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var runner = new ImageBatchRunner(local.ModelPath, manifest, request.Classifier, request.BatchSize);
        var run = await runner.RunAsync([.. dataset.Images.Select(i => i.Path)], flips: false, progress, cancellationToken).ConfigureAwait(false);

        var skipped = dataset.Skipped.Concat(run.Failures.Select(f => new SkippedFile(dataset.Images[f.Key].RelativePath, f.Value))).ToList();
        var scored = new List<(LabelledImage Image, int Truth, float[] Scores)>();
        for (int i = 0; i < dataset.Images.Count; i++)
        {
            if (run.Outputs[i] is not { } scores) continue;
            if (manifest.Output.Kind == OutputKind.Logits) scores = Softmax(scores);
            scored.Add((dataset.Images[i], labelIndex[dataset.Classes[dataset.Images[i].ClassIndex]], scores));
        }

        if (scored.Count == 0) throw new DatasetException($"--data '{request.DataFolder}': no image could be decoded.");
        return Summarise(manifest, request.DataFolder, dataset.Classes, labels, labelIndex, scored, skipped, warnings, run) with { SeenInTraining = seen.Count };
    }

    /// <summary>The photos of <paramref name="dataset"/> whose sha256 is among the training photos recorded in the model's provenance.</summary>
    internal static List<string> SeenInTraining(ModelManifest manifest, LabelledDataset dataset)
    {
        if (manifest.Provenance is not { } provenance || !provenance.TryGetProperty("imageSha256", out var hashes) || hashes.ValueKind != System.Text.Json.JsonValueKind.Array)
        {
            return [];
        }

        var trained = hashes.EnumerateArray().Select(h => h.GetString()).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return [.. dataset.Images.Where(i => trained.Contains(i.Sha256)).Select(i => i.RelativePath)];
    }

    private static EvaluationReport Summarise(
        ModelManifest manifest, string data, IReadOnlyList<string> classes, IReadOnlyList<string> labels, Dictionary<string, int> labelIndex,
        List<(LabelledImage Image, int Truth, float[] Scores)> scored, List<SkippedFile> skipped, List<string> warnings, BatchRunResult run)
    {
        var predicted = scored.Select(s => HeadFitter.ArgMax(s.Scores)).ToList();
        var top1 = scored.Where((s, i) => predicted[i] == s.Truth).Count() / (double)scored.Count;
        var top5 = scored.Count(s => Metrics.InTopK(s.Scores, s.Truth, 5)) / (double)scored.Count;

        // Columns: the data's classes in their label order, then everything else the model said.
        var classLabel = classes.Select(c => labelIndex[c]).ToList();
        var column = new Dictionary<int, int>();
        for (int c = 0; c < classLabel.Count; c++) column[classLabel[c]] = c;
        var counts = classes.Select(_ => new int[classes.Count + 1]).ToArray();
        for (int i = 0; i < scored.Count; i++)
        {
            var row = classLabel.IndexOf(scored[i].Truth);
            counts[row][column.TryGetValue(predicted[i], out var col) ? col : classes.Count]++;
        }

        var perClass = classes.Select((c, k) =>
        {
            var support = counts[k].Sum();
            var predictedAs = counts.Sum(r => r[k]);
            var tp = counts[k][k];
            return new ClassMetrics(c, predictedAs == 0 ? 0 : tp / (double)predictedAs, support == 0 ? 0 : tp / (double)support, support, predictedAs);
        }).ToList();

        var worst = Enumerable.Range(0, scored.Count)
            .Where(i => predicted[i] != scored[i].Truth)
            .GroupBy(i => (scored[i].Truth, Predicted: predicted[i]))
            .OrderByDescending(g => g.Count()).ThenBy(g => labels[g.Key.Truth], StringComparer.Ordinal).ThenBy(g => labels[g.Key.Predicted], StringComparer.Ordinal)
            .Take(WorstConfusionCount)
            .Select(g => new Confusion(
                labels[g.Key.Truth], labels[g.Key.Predicted], g.Count(),
                [.. g.OrderByDescending(i => scored[i].Scores[predicted[i]]).Take(ExamplesPerConfusion)
                    .Select(i => new ConfusionExample(scored[i].Image.RelativePath, scored[i].Scores[predicted[i]]))]))
            .ToList();

        var (ece, bins) = Metrics.Calibration(
            [.. scored.Select((s, i) => (double)s.Scores[predicted[i]])], [.. scored.Select((s, i) => predicted[i] == s.Truth)]);

        return new EvaluationReport
        {
            Model = manifest.Name,
            Identity = manifest.Identity,
            Data = Path.GetFullPath(data),
            Images = scored.Count,
            Top1 = top1,
            Top5 = top5,
            Ece = ece,
            PerClass = perClass,
            Confusion = new ConfusionMatrix(classes, [.. classes, "(other)"], [.. counts.Select(r => (IReadOnlyList<int>)r)]),
            WorstConfusions = worst,
            Calibration = bins,
            Skipped = skipped,
            Warnings = warnings,
            ImagesPerSecond = run.Elapsed.TotalSeconds > 0 ? scored.Count / run.Elapsed.TotalSeconds : 0,
        };
    }

    private static float[] Softmax(float[] logits)
    {
        var p = logits.Select(v => (double)v).ToArray();
        VectorMath.Softmax(p);
        return [.. p.Select(v => (float)v)];
    }
}
