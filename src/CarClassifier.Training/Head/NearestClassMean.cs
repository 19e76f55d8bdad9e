namespace CarClassifier.Training.Head;

/// <summary>
/// The baseline the head must beat: standardise, average each class's training rows, predict the nearest class mean
/// (Euclidean). No parameters to tune, so it shows how much the fitted head adds over the raw features.
/// </summary>
public sealed class NearestClassMean
{
    private readonly Standardizer _standardizer;
    private readonly float[][] _means;

    public NearestClassMean(IReadOnlyList<float[]> rows, IReadOnlyList<int> labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        _standardizer = Standardizer.Fit(rows);
        var width = rows[0].Length;
        var sums = new double[classes][];
        var counts = new int[classes];
        for (int k = 0; k < classes; k++) sums[k] = new double[width];
        for (int i = 0; i < rows.Count; i++)
        {
            var z = _standardizer.Apply(rows[i]);
            for (int j = 0; j < width; j++) sums[labels[i]][j] += z[j];
            counts[labels[i]]++;
        }

        _means = [.. sums.Select((s, k) => s.Select(v => (float)(v / Math.Max(1, counts[k]))).ToArray())];
    }

    public int Predict(ReadOnlySpan<float> row)
    {
        var z = _standardizer.Apply(row);
        int best = 0;
        double bestDistance = double.MaxValue;
        for (int k = 0; k < _means.Length; k++)
        {
            double d = 0;
            for (int j = 0; j < z.Length; j++)
            {
                var diff = z[j] - _means[k][j];
                d += diff * diff;
            }

            if (d < bestDistance)
            {
                bestDistance = d;
                best = k;
            }
        }

        return best;
    }
}
