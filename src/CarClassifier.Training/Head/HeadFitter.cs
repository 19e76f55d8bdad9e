using System.Diagnostics;

namespace CarClassifier.Training.Head;

/// <summary>
/// Picks the L2 strength on a seeded stratified hold-out (highest accuracy, then lowest log-loss, then the stronger
/// penalty), then refits on all images with it. Standardisation statistics come from the training part only during
/// the search, and from everything for the final fit.
/// </summary>
public static class HeadFitter
{
    public static HeadFit Fit(
        IReadOnlyList<float[]> original, IReadOnlyList<float[]> flipped, IReadOnlyList<int> labels, int classes, HeadSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(flipped);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(settings);
        var started = Stopwatch.GetTimestamp();
        var (train, validation) = StratifiedSplit.Holdout(labels, settings.ValidationFraction, settings.Seed);
        var path = new List<LambdaScore>();
        if (validation.Length > 0)
        {
            var (rows, rowLabels) = Rows(original, flipped, labels, train, settings.Flips);
            var standardizer = Standardizer.Fit(rows);
            var z = rows.Select(r => standardizer.Apply(r)).ToList();
            double[]? parameters = null;
            foreach (var lambda in settings.Lambdas)
            {
                parameters = SoftmaxTrainer.Fit(z, rowLabels, classes, lambda, parameters, settings.MaxIterations, cancellationToken);
                var head = SoftmaxTrainer.ToHead(parameters, standardizer, classes, original[0].Length);
                path.Add(Score(head, validation.Select(i => original[i]).ToList(), validation.Select(i => labels[i]).ToList(), lambda));
            }
        }

        var best = path.Count == 0
            ? settings.Lambdas[settings.Lambdas.Count / 2]
            : path.OrderByDescending(p => p.Accuracy).ThenBy(p => p.LogLoss).ThenByDescending(p => p.Lambda).First().Lambda;
        if (path.Count == 0) path.Add(new LambdaScore(best, double.NaN, double.NaN));

        var final = FitOne(original, flipped, labels, [.. Enumerable.Range(0, labels.Count)], classes, best, settings, cancellationToken);
        return new HeadFit(final, best, path, train.Length, validation.Length, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Fits one head with a fixed strength on the given rows (with their mirrors when flips are on).</summary>
    public static SoftmaxHead FitOne(
        IReadOnlyList<float[]> original, IReadOnlyList<float[]> flipped, IReadOnlyList<int> labels, int[] indices, int classes, double lambda, HeadSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(settings);
        var (rows, rowLabels) = Rows(original, flipped, labels, indices, settings.Flips);
        var standardizer = Standardizer.Fit(rows);
        var z = rows.Select(r => standardizer.Apply(r)).ToList();
        var parameters = SoftmaxTrainer.Fit(z, rowLabels, classes, lambda, null, settings.MaxIterations, cancellationToken);
        return SoftmaxTrainer.ToHead(parameters, standardizer, classes, original[0].Length);
    }

    public static LambdaScore Score(SoftmaxHead head, IReadOnlyList<float[]> rows, IReadOnlyList<int> labels, double lambda)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        int correct = 0;
        double loss = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var p = head.Predict(rows[i]);
            if (ArgMax(p) == labels[i]) correct++;
            loss -= Math.Log(Math.Max(p[labels[i]], 1e-12));
        }

        return new LambdaScore(lambda, (double)correct / rows.Count, loss / rows.Count);
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static (List<float[]> Rows, List<int> Labels) Rows(
        IReadOnlyList<float[]> original, IReadOnlyList<float[]> flipped, IReadOnlyList<int> labels, int[] indices, bool flips)
    {
        var rows = new List<float[]>();
        var rowLabels = new List<int>();
        foreach (var i in indices)
        {
            rows.Add(original[i]);
            rowLabels.Add(labels[i]);
            if (flips)
            {
                rows.Add(flipped[i]);
                rowLabels.Add(labels[i]);
            }
        }

        return (rows, rowLabels);
    }
}
