using System.Diagnostics;
using CarClassifier.Training.Head;

namespace CarClassifier.Bench;

/// <summary>
/// Head training time at the size the issue names (about 1,400 images x 30 classes on 512 ResNet-18 features, with their
/// mirror images: 2,800 rows). The features are synthetic (seeded non-negative class clusters, like pooled ReLU
/// outputs): the time of the L-BFGS fits depends on the sizes and the conditioning, not on what the photos show.
/// Measured: the whole <see cref="HeadFitter.Fit"/> users wait for (9 L2 strengths on a hold-out, then the refit).
/// </summary>
internal static class HeadBench
{
    public static IEnumerable<BenchResult> Run(BenchSettings settings, Action<string> note)
    {
        foreach (var (images, classes) in new[] { (1400, 30), (240, 6) })
        {
            var (original, flipped, labels) = Synthetic(images, classes, width: 512, seed: 11);
            var samples = new List<double>();
            var repeats = settings.Quick ? 1 : 3;
            for (var r = 0; r < repeats; r++)
            {
                var started = Stopwatch.GetTimestamp();
                HeadFitter.Fit(original, flipped, labels, classes, new HeadSettings());
                samples.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }

            note($"head {images}x{classes}: {samples.Min():F2} s");
            yield return new BenchResult("head", $"{images} images x {classes} classes x 512 features (+ mirrors)", "L2 search (9 strengths) + refit", "s", Stats.Of(samples));
        }
    }

    private static (List<float[]> Original, List<float[]> Flipped, List<int> Labels) Synthetic(int images, int classes, int width, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, width).Select(_ => (float)random.NextDouble() * 2).ToArray()).ToArray();
        var labels = Enumerable.Range(0, images).Select(i => i % classes).ToList();
        float[] Sample(int label) => [.. centres[label].Select(c => Math.Max(0, c + (float)((random.NextDouble() - 0.5) * 3)))];
        return ([.. labels.Select(Sample)], [.. labels.Select(Sample)], labels);
    }
}
