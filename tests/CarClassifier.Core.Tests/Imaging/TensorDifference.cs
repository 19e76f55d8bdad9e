namespace CarClassifier.Core.Tests.Imaging;

/// <summary>Absolute differences between two tensors, in normalised units (1/255 of a pixel is about 0.017).</summary>
internal readonly record struct TensorDifference(double Mean, double P99, double Max)
{
    public static TensorDifference Of(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var diffs = new double[expected.Length];
        for (int i = 0; i < diffs.Length; i++)
        {
            diffs[i] = Math.Abs(expected[i] - actual[i]);
        }

        Array.Sort(diffs);
        return new TensorDifference(diffs.Average(), diffs[(int)(diffs.Length * 0.99)], diffs[^1]);
    }

    public override string ToString() => $"mean {Mean:F4}, p99 {P99:F4}, max {Max:F3}";
}
