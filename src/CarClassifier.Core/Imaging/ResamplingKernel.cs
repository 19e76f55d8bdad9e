namespace CarClassifier.Core.Imaging;

/// <summary>
/// One axis of Pillow's antialiased bilinear (triangle) resize, for a run of consecutive outputs: per output, the
/// first source index, the tap count and fixed-point weights. Coefficients are Pillow's <c>precompute_coeffs</c>
/// (double, normalised to sum 1) rounded to <see cref="PrecisionBits"/> fractional bits exactly as Pillow's
/// <c>normalize_coeffs_8bpc</c> does, so the integer passes in <see cref="AntialiasedBilinearResampler"/> give
/// Pillow's 8-bit results for the same source pixels.
/// </summary>
internal sealed class ResamplingKernel
{
    /// <summary>Pillow's <c>PRECISION_BITS</c> (32 - 8 - 2): a byte times a weight, summed, still fits an int.</summary>
    public const int PrecisionBits = 22;

    private readonly int[] _weights;

    private ResamplingKernel(int outputCount, int maxTaps)
    {
        MaxTaps = maxTaps;
        Starts = new int[outputCount];
        Counts = new int[outputCount];
        _weights = new int[outputCount * maxTaps];
    }

    /// <summary>Weights are stored <see cref="MaxTaps"/> apart, unused slots zero.</summary>
    public int MaxTaps { get; }

    public int[] Starts { get; }

    public int[] Counts { get; }

    /// <summary>First source index any output reads (starts never decrease along the axis).</summary>
    public int First => Starts[0];

    /// <summary>How many consecutive source indexes, from <see cref="First"/>, the outputs read.</summary>
    public int Span => Starts[^1] + Counts[^1] - Starts[0];

    public ReadOnlySpan<int> WeightsFor(int index) => _weights.AsSpan(index * MaxTaps, Counts[index]);

    /// <summary>The kernel for outputs <paramref name="outStart"/>..+<paramref name="outCount"/> of an <paramref name="inSize"/> to <paramref name="outSize"/> resize.</summary>
    public static ResamplingKernel Create(int inSize, int outSize, int outStart, int outCount)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale; // the triangle filter's support is 1
        double inverseFilterScale = 1.0 / filterScale; // multiplied, not divided, as Pillow does: same doubles
        int maxTaps = ((int)Math.Ceiling(support) * 2) + 1;
        var kernel = new ResamplingKernel(outCount, maxTaps);
        var taps = maxTaps <= 512 ? stackalloc double[maxTaps] : new double[maxTaps];
        const double one = 1 << PrecisionBits;
        for (int i = 0; i < outCount; i++)
        {
            double center = (outStart + i + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int count = Math.Min((int)(center + support + 0.5), inSize) - min;
            double total = 0;
            for (int x = 0; x < count; x++)
            {
                double w = Math.Max(0.0, 1.0 - Math.Abs((x + min - center + 0.5) * inverseFilterScale));
                taps[x] = w;
                total += w;
            }

            var target = kernel._weights.AsSpan(i * maxTaps, count);
            for (int x = 0; x < count; x++)
            {
                double w = total > 0 ? taps[x] / total : 0;
                target[x] = (int)(w < 0 ? (w * one) - 0.5 : (w * one) + 0.5);
            }

            kernel.Starts[i] = min;
            kernel.Counts[i] = count;
        }

        return kernel;
    }
}
