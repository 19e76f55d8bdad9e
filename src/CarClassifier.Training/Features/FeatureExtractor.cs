using System.Text.Json;
using CarClassifier.Core.Configuration;
using CarClassifier.Training.Data;

namespace CarClassifier.Training.Features;

/// <summary>Features for a dataset: from the cache where present, else through <see cref="ImageBatchRunner"/> (then cached).</summary>
public static class FeatureExtractor
{
    public static FeatureCache CacheFor(Backbone.Backbone backbone, ClassifierOptions options, string cacheRoot)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(options);
        var recipe = JsonSerializer.Serialize(backbone.BaseManifest.Preprocess);
        return new FeatureCache(cacheRoot, backbone.BaseManifest.Sha256, options.Decoder.ToLowerInvariant(), recipe, backbone.Width);
    }

    public static async Task<FeatureSet> ExtractAsync(
        Backbone.Backbone backbone,
        LabelledDataset dataset,
        ClassifierOptions options,
        FeatureCache? cache,
        int batchSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(dataset);
        var width = backbone.Width;
        var rows = new float[]?[dataset.Images.Count];
        var missing = new List<int>();
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = cache?.TryGet(dataset.Images[i].Sha256);
            if (rows[i] is null) missing.Add(i);
        }

        var skipped = new List<SkippedFile>();
        var stats = new FeatureExtractionStats(rows.Length - missing.Count, 0, TimeSpan.Zero, TimeSpan.Zero, 0);
        if (missing.Count > 0)
        {
            using var runner = new ImageBatchRunner(backbone.FeaturesPath, backbone.FeaturesManifest, options, batchSize);
            var result = await runner.RunAsync([.. missing.Select(i => dataset.Images[i].Path)], flips: true, progress, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < missing.Count; j++)
            {
                var image = dataset.Images[missing[j]];
                if (result.Outputs[j] is { } row)
                {
                    rows[missing[j]] = row;
                    if (cache is not null) await cache.PutAsync(image.Sha256, row, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    skipped.Add(new SkippedFile(image.RelativePath, result.Failures[j]));
                }
            }

            stats = stats with { Extracted = missing.Count - result.Failures.Count, Elapsed = result.Elapsed, Inference = result.Inference, Tensors = result.Tensors };
        }
        else
        {
            progress?.Report(new RunProgress(rows.Length, rows.Length, TimeSpan.Zero));
        }

        var kept = Enumerable.Range(0, rows.Length).Where(i => rows[i] is not null).ToList();
        return new FeatureSet(
            [.. kept.Select(i => dataset.Images[i])],
            [.. kept.Select(i => rows[i]![..width])],
            [.. kept.Select(i => rows[i]![width..])],
            skipped,
            stats);
    }
}
