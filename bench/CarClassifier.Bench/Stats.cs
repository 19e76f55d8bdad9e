namespace CarClassifier.Bench;

/// <summary>Median and spread of repeated rate measurements (e.g. images per second).</summary>
internal sealed record Stats(double Median, double Min, double Max, int Repeats)
{
    /// <summary>Spread around the median, in percent: how noisy the shared machine was during this measurement.</summary>
    public double NoisePercent => Median > 0 ? 100 * (Max - Min) / 2 / Median : 0;

    public static Stats Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) return new Stats(0, 0, 0, 0);
        var sorted = samples.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Stats(median, sorted[0], sorted[^1], sorted.Length);
    }
}
