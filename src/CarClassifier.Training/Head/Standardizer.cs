namespace CarClassifier.Training.Head;

/// <summary>
/// Per-feature mean and standard deviation from the training rows, so one L2 strength suits every feature. Features
/// that never vary get a standard deviation of 1 (they carry no information and must not divide by zero).
/// </summary>
public sealed record Standardizer(float[] Mean, float[] Std)
{
    public static Standardizer Fit(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("No rows to standardise.", nameof(rows));
        var width = rows[0].Length;
        var mean = new double[width];
        var squares = new double[width];
        foreach (var row in rows)
        {
            for (int j = 0; j < width; j++)
            {
                mean[j] += row[j];
                squares[j] += (double)row[j] * row[j];
            }
        }

        var m = new float[width];
        var s = new float[width];
        for (int j = 0; j < width; j++)
        {
            var mu = mean[j] / rows.Count;
            var variance = Math.Max(0, (squares[j] / rows.Count) - (mu * mu));
            m[j] = (float)mu;
            var sd = Math.Sqrt(variance);
            s[j] = sd > 1e-6 ? (float)sd : 1f;
        }

        return new Standardizer(m, s);
    }

    /// <summary>(x - mean) / std, in float, exactly as the exported graph's Sub and Div nodes compute it.</summary>
    public float[] Apply(ReadOnlySpan<float> row)
    {
        var result = new float[row.Length];
        for (int j = 0; j < row.Length; j++) result[j] = (row[j] - Mean[j]) / Std[j];
        return result;
    }
}
