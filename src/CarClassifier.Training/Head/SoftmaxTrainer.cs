namespace CarClassifier.Training.Head;

/// <summary>
/// Fits <see cref="SoftmaxHead"/> by minimising mean cross-entropy + (lambda / 2) * ||W||^2 (the bias is not penalised)
/// with L-BFGS (memory 10, backtracking Armijo line search). Our own optimiser rather than ML.NET's maximum-entropy
/// trainer: the problem is small and smooth (D = 512 to 2048 features, tens of classes, a few thousand rows), the
/// whole objective is about a hundred lines, it warm-starts across the regularisation path, it is deterministic, and
/// it avoids pulling ML.NET's IDataView stack into the CLI just to multiply matrices.
/// </summary>
public static class SoftmaxTrainer
{
    private const int Memory = 10;

    /// <param name="rows">Standardised feature rows.</param>
    /// <param name="labels">Class index of each row.</param>
    /// <param name="warmStart">Parameters (K*D weights then K biases) to start from, or null for zeros.</param>
    public static double[] Fit(
        IReadOnlyList<float[]> rows, IReadOnlyList<int> labels, int classes, double lambda, double[]? warmStart = null, int maxIterations = 300, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Count == 0 || rows.Count != labels.Count) throw new ArgumentException("Rows and labels must be non-empty and the same length.", nameof(labels));
        var width = rows[0].Length;
        var n = (classes * width) + classes;
        var x = warmStart is null ? new double[n] : (double[])warmStart.Clone();
        var g = new double[n];
        var f = Objective(rows, labels, classes, width, lambda, x, g);

        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var direction = new double[n];
        var alpha = new double[Memory];
        var xNew = new double[n];
        var gNew = new double[n];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (MaxAbs(g) < 1e-5) break;

            // Two-loop recursion: direction = -H * g.
            Array.Copy(g, direction, n);
            for (int i = s.Count - 1; i >= 0; i--)
            {
                alpha[i] = rho[i] * DotD(s[i], direction);
                Axpy(direction, -alpha[i], y[i]);
            }

            var gamma = s.Count > 0 ? DotD(s[^1], y[^1]) / DotD(y[^1], y[^1]) : 1.0 / Math.Max(1.0, Math.Sqrt(DotD(g, g)));
            for (int i = 0; i < n; i++) direction[i] *= gamma;
            for (int i = 0; i < s.Count; i++)
            {
                var beta = rho[i] * DotD(y[i], direction);
                Axpy(direction, alpha[i] - beta, s[i]);
            }

            for (int i = 0; i < n; i++) direction[i] = -direction[i];
            var slope = DotD(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction (curvature information went stale): restart from steepest descent.
                s.Clear(); y.Clear(); rho.Clear();
                for (int i = 0; i < n; i++) direction[i] = -g[i];
                slope = -DotD(g, g);
            }

            double step = 1.0, fNew;
            while (true)
            {
                for (int i = 0; i < n; i++) xNew[i] = x[i] + (step * direction[i]);
                fNew = Objective(rows, labels, classes, width, lambda, xNew, gNew);
                if (fNew <= f + (1e-4 * step * slope) || step < 1e-10) break;
                step *= 0.5;
            }

            var sk = new double[n];
            var yk = new double[n];
            for (int i = 0; i < n; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }

            var sy = DotD(sk, yk);
            var improvement = f - fNew;
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            f = fNew;
            if (sy > 1e-12)
            {
                if (s.Count == Memory) { s.RemoveAt(0); y.RemoveAt(0); rho.RemoveAt(0); }
                s.Add(sk); y.Add(yk); rho.Add(1.0 / sy);
            }

            if (improvement >= 0 && improvement < 1e-10 * Math.Max(1.0, Math.Abs(f))) break;
        }

        return x;
    }

    public static SoftmaxHead ToHead(double[] parameters, Standardizer standardizer, int classes, int width)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var weights = parameters.AsSpan(0, classes * width).ToArray().Select(v => (float)v).ToArray();
        var bias = parameters.AsSpan(classes * width, classes).ToArray().Select(v => (float)v).ToArray();
        return new SoftmaxHead(standardizer, weights, bias, classes, width);
    }

    /// <summary>Mean cross-entropy plus the L2 term; fills <paramref name="gradient"/>.</summary>
    internal static double Objective(IReadOnlyList<float[]> rows, IReadOnlyList<int> labels, int classes, int width, double lambda, double[] parameters, double[] gradient)
    {
        var weights = new float[classes * width];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)parameters[i];
        var count = rows.Count;
        var threads = Math.Clamp(Environment.ProcessorCount, 1, 8);
        var partialLoss = new double[threads];
        var partialGrad = new float[threads][];
        Parallel.For(0, threads, t =>
        {
            var grad = new float[(classes * width) + classes];
            var p = new double[classes];
            double loss = 0;
            for (int r = t; r < count; r += threads)
            {
                var row = rows[r];
                for (int k = 0; k < classes; k++) p[k] = VectorMath.Dot(weights.AsSpan(k * width, width), row) + parameters[(classes * width) + k];
                VectorMath.Softmax(p);
                loss -= Math.Log(Math.Max(p[labels[r]], 1e-300));
                for (int k = 0; k < classes; k++)
                {
                    var delta = (float)(p[k] - (k == labels[r] ? 1 : 0));
                    VectorMath.AddScaled(grad.AsSpan(k * width, width), delta, row);
                    grad[(classes * width) + k] += delta;
                }
            }

            partialLoss[t] = loss;
            partialGrad[t] = grad;
        });

        Array.Clear(gradient);
        double total = 0;
        for (int t = 0; t < threads; t++)
        {
            total += partialLoss[t];
            for (int i = 0; i < gradient.Length; i++) gradient[i] += partialGrad[t][i];
        }

        double l2 = 0;
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] /= count;
            if (i < classes * width)
            {
                gradient[i] += lambda * parameters[i];
                l2 += parameters[i] * parameters[i];
            }
        }

        return (total / count) + (0.5 * lambda * l2);
    }

    private static double DotD(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static void Axpy(double[] y, double alpha, double[] x)
    {
        for (int i = 0; i < y.Length; i++) y[i] += alpha * x[i];
    }

    private static double MaxAbs(double[] values)
    {
        double max = 0;
        foreach (var v in values) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
