using System.Numerics;
using System.Runtime.InteropServices;

namespace CarClassifier.Training.Head;

/// <summary>The two inner loops the head needs, vectorised.</summary>
internal static class VectorMath
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (int i = 0; i < va.Length; i++) sum += va[i] * vb[i];
        float total = Vector.Sum(sum);
        for (int i = va.Length * Vector<float>.Count; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    /// <summary>y += alpha * x.</summary>
    public static void AddScaled(Span<float> y, float alpha, ReadOnlySpan<float> x)
    {
        var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var va = new Vector<float>(alpha);
        for (int i = 0; i < vy.Length; i++) vy[i] += va * vx[i];
        for (int i = vy.Length * Vector<float>.Count; i < y.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>In-place softmax of doubles, shifted by the maximum so it never overflows.</summary>
    public static void Softmax(Span<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (var v in values) max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.Exp(values[i] - max);
            sum += values[i];
        }

        for (int i = 0; i < values.Length; i++) values[i] /= sum;
    }
}
