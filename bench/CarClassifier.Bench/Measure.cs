using System.Diagnostics;

namespace CarClassifier.Bench;

/// <summary>Time-budgeted, repeated throughput measurement: warm up, then several repeats, median reported.</summary>
internal static class Measure
{
    /// <summary>
    /// Calls <paramref name="body"/> (which returns how many images it processed) during <paramref name="warmup"/>,
    /// then for <paramref name="repeats"/> repeats of at least <paramref name="perRepeat"/> and <paramref name="minCalls"/> calls each.
    /// </summary>
    public static Stats Rate(Func<int> body, TimeSpan warmup, TimeSpan perRepeat, int repeats, int minCalls = 1)
    {
        ArgumentNullException.ThrowIfNull(body);
        var warmEnd = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        do
        {
            body();
        }
        while (Stopwatch.GetTimestamp() < warmEnd);

        var samples = new List<double>(repeats);
        for (var r = 0; r < repeats; r++)
        {
            var images = 0;
            var calls = 0;
            var started = Stopwatch.GetTimestamp();
            var end = started + (long)(perRepeat.TotalSeconds * Stopwatch.Frequency);
            long now;
            do
            {
                images += body();
                calls++;
                now = Stopwatch.GetTimestamp();
            }
            while (now < end || calls < minCalls);

            samples.Add(images / Stopwatch.GetElapsedTime(started, now).TotalSeconds);
        }

        return Stats.Of(samples);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1) of <paramref name="values"/>, nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
