using System.Diagnostics;
using CarClassifier.Core.Batching;
using CarClassifier.Core.Imaging;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Bench;

/// <summary>
/// End to end in process: the photos' JPEG bytes -> decode -> batcher -> ONNX Runtime -> top-k, with the production
/// decoder and session settings. Its ratio to inference-only at the same batch size is our own overhead.
/// </summary>
internal static class EndToEndBench
{
    public static IEnumerable<BenchResult> Run(
        BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, IReadOnlyList<BenchResult> inference, ILoggerFactory loggers)
    {
        var batch = settings.E2eBatch;
        var options = BenchModel.ProductionOptions(settings);
        using var session = model.CreateSession(options, loggers);
        var baseline = inference.FirstOrDefault(r => r.Section == "inference" && r.Variant == "production" && r.Case == $"batch {batch}");

        // The 640x480 class is what phones upload after the typical web resize; 1920x1080 is a full HD frame.
        foreach (var photoClass in photos.Where(p => p.Name is "640x480" || (!settings.Quick && p.Name is "1920x1080")))
        {
            foreach (var workers in (settings.Quick ? [Environment.ProcessorCount] : new[] { 1, Environment.ProcessorCount }).Distinct())
            {
                var images = photoClass.Files.Select(f => f.Bytes).ToArray();
                var decoder = ImageDecoderFactory.Create(options.Decoder);
                var samples = new List<double>();
                var batcher = new InferenceBatcher(
                    session, model.Labels, model.Manifest.Output.Kind,
                    new BatcherOptions(batch, TimeSpan.FromMilliseconds(options.MaxBatchDelayMilliseconds), options.TopK),
                    loggers.CreateLogger<InferenceBatcher>());
                try
                {
                    var pipeline = new InProcessPipeline(decoder, model.Manifest.Preprocess, batcher, workers, maxInFlight: 2 * batch);
                    // Whole batches, at least two per repeat, about the inference budget's worth.
                    var perRepeat = Math.Max(batch * 2, (int)(baseline?.Stats.Median * settings.InferenceBudget.TotalSeconds * 2 ?? batch * 4));
                    perRepeat = (perRepeat + batch - 1) / batch * batch;
                    pipeline.RunAsync(images, batch, CancellationToken.None).GetAwaiter().GetResult();
                    for (var r = 0; r < settings.ModelRepeats; r++)
                    {
                        var started = Stopwatch.GetTimestamp();
                        var done = pipeline.RunAsync(images, perRepeat, CancellationToken.None).GetAwaiter().GetResult();
                        samples.Add(done / Stopwatch.GetElapsedTime(started).TotalSeconds);
                    }
                }
                finally
                {
                    batcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }

                var stats = Stats.Of(samples);
                var result = new BenchResult("e2e", $"batch {batch}, {photoClass.Name}", $"{decoder.Name}, {workers} decode thread(s)", "images/s", stats)
                {
                    Extra = { ["batch"] = batch, ["decodeWorkers"] = workers },
                };
                if (baseline is not null) result.Extra["ratioToInference"] = stats.Median / baseline.Stats.Median;
                yield return result;
            }
        }
    }
}
