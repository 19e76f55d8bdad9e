using CarClassifier.Core.Batching;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace CarClassifier.Bench;

/// <summary>
/// Inference only: <see cref="ModelSession.Run"/> on a pre-filled, pinned batch buffer (real preprocessed photos),
/// exactly as the batcher calls it. Also reports managed bytes allocated per Run (the hot path should allocate nothing).
/// </summary>
internal static class InferenceBench
{
    public static IEnumerable<BenchResult> Run(BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, ILoggerFactory loggers)
    {
        var options = BenchModel.ProductionOptions(settings);
        using var session = model.CreateSession(options, loggers);
        foreach (var batch in settings.Batches)
        {
            yield return Measure(settings, session, batch, photos, $"batch {batch}", "production", settings.InferenceBudget);
            if (session.ExecutionProvider == ExecutionProvider.Cuda)
            {
                // What the page-locked input buffer buys: the same Run from an ordinary pinned-heap array.
                yield return Measure(settings, session, batch, photos, $"batch {batch}", "pageable input", settings.InferenceBudget, pageable: true);
            }
        }
    }

    /// <summary>The ONNX Runtime settings that production fixes, each changed alone, at the end-to-end batch size.</summary>
    public static IEnumerable<BenchResult> Sweep(BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, ILoggerFactory loggers)
    {
        var variants = new (string Name, Func<ClassifierOptions, ClassifierOptions> Options, Action<SessionOptions>? Configure)[]
        {
            ("production", o => o, null),
            ("graph opt BASIC", o => o, s => s.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC),
            ("graph opt EXTENDED", o => o, s => s.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED),
            ("graph opt DISABLE", o => o, s => s.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL),
            ("intra-op threads 1", o => With(o, x => x.IntraOpThreads = 1), null),
            ($"intra-op threads {Environment.ProcessorCount * 2}", o => With(o, x => x.IntraOpThreads = Environment.ProcessorCount * 2), null),
            ("CPU arena off", o => o, s => s.EnableCpuMemArena = false),
            ("memory pattern off", o => o, s => s.EnableMemoryPattern = false),
            ("spinning off", o => With(o, x => x.IntraOpSpinning = false), null),
        };
        var batch = settings.E2eBatch;
        foreach (var (name, makeOptions, configure) in variants)
        {
            using var session = model.CreateSession(makeOptions(BenchModel.ProductionOptions(settings)), loggers, configure);
            yield return Measure(settings, session, batch, photos, $"batch {batch}", name, settings.InferenceBudget);
        }
    }

    private static ClassifierOptions With(ClassifierOptions options, Action<ClassifierOptions> change)
    {
        change(options);
        return options;
    }

    private static BenchResult Measure(
        BenchSettings settings, ModelSession session, int batch, IReadOnlyList<PhotoClass> photos, string caseName, string variant, TimeSpan budget,
        bool pageable = false)
    {
        // The production buffer (what the batcher gets from AllocateInput), unless measuring the alternative.
        using var owner = pageable ? new PinnedArrayMemory(batch * session.ImageLength) : session.AllocateInput(batch * session.ImageLength);
        var input = owner.Memory;
        FillBatch(input.Span, session.ImageLength, batch, photos);
        var output = GC.AllocateUninitializedArray<float>(batch * session.ClassCount, pinned: true);
        var stats = Bench.Measure.Rate(() => { session.Run(input, output, batch); return batch; }, settings.Warmup, budget, settings.ModelRepeats, minCalls: settings.Quick ? 1 : 2);

        // Managed bytes per Run once warm: the wrappers are cached, so this should be (close to) zero.
        const int runs = 2;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++) session.Run(input, output, batch);
        var perRun = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)runs;
        return new BenchResult("inference", caseName, variant, "images/s", stats)
        {
            Extra = { ["batch"] = batch, ["allocatedBytesPerRun"] = perRun, ["msPerBatch"] = 1000.0 * batch / stats.Median },
        };
    }

    /// <summary>A batch of real preprocessed photos (the 640x480 class, repeated), so activations look like production's.</summary>
    internal static void FillBatch(Span<float> input, int imageLength, int batch, IReadOnlyList<PhotoClass> photos)
    {
        var decoder = new SkiaDecoder();
        var files = photos[0].Files;
        for (var i = 0; i < batch; i++)
        {
            decoder.DecodeInto(files[i % files.Count].Bytes, new PreprocessRecipe(), ImageLimits.Default, input.Slice(i * imageLength, imageLength));
        }
    }
}
