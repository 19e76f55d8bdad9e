using System.Diagnostics;
using CarClassifier.Training.Head;
using Onnx;
using static TorchSharp.torch;

namespace CarClassifier.Training.FineTuning;

/// <summary>
/// Fine-tunes the last stage of a base network and a new linear head on cached activations of the layer below it:
/// SGD with momentum and a one-cycle schedule (linear warm-up over the first 30 % of steps, cosine decay to zero),
/// label smoothing, random mirror (the cached mirror image's activations) and random shifts of the activation map,
/// early stopping on a stratified hold-out, and the best epoch kept. A temperature is then fitted on the hold-out.
/// BatchNormalization keeps its ImageNet statistics (see <see cref="OnnxSegment"/>). Deterministic for a seed: the
/// augmentation and batch order come from <see cref="Random"/>, the head starts at a seeded initialisation, and
/// TorchSharp's CPU kernels are run with a fixed thread count.
/// </summary>
public static class FineTuner
{
    public static FineTuneResult Train(
        GraphProto graph,
        string cut,
        string features,
        long[] activationShape,
        IReadOnlyList<float[]> original,
        IReadOnlyList<float[]> flipped,
        IReadOnlyList<int> labels,
        int classes,
        FineTuneSettings settings,
        IProgress<EpochReport>? progress,
        CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(activationShape);
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(flipped);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(settings);
        var started = Stopwatch.GetTimestamp();
        manual_seed(settings.Seed);
        var random = new Random(settings.Seed);
        var (trainIdx, holdIdx) = StratifiedSplit.Holdout(labels, settings.ValidationFraction, settings.Seed);
        if (holdIdx.Length == 0) throw new ArgumentException("Fine-tuning needs at least two images of some class for its hold-out.", nameof(labels));

        using var segment = new OnnxSegment(graph, cut, features, trainable: true);
        var width = checked((int)segment.Forward(zeros([1, .. activationShape])).shape[1]);
        var headW = (randn(classes, width) * Math.Sqrt(1.0 / width)).requires_grad_(true);
        var headB = zeros(classes).requires_grad_(true);
        var stage = segment.Parameters.Values.ToList();
        var velocities = stage.Concat([headW, headB]).Select(p => zeros_like(p)).ToList();

        var stepsPerEpoch = (trainIdx.Length + settings.BatchSize - 1) / settings.BatchSize;
        var totalSteps = Math.Max(1, stepsPerEpoch * settings.Epochs);
        var step = 0;
        var history = new List<EpochReport>();
        Dictionary<string, float[]>? bestStage = null;
        float[] bestW = [], bestB = [];
        (double Accuracy, double Loss) best = (-1, double.MaxValue);
        var bestEpoch = 0;
        var sinceBest = 0;
        var stopped = "all epochs run";
        var perSample = activationShape.Aggregate(1L, (a, b) => a * b);

        for (var epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            if (stop.IsCancellationRequested)
            {
                if (bestStage is null) stop.ThrowIfCancellationRequested();
                stopped = "interrupted (Ctrl+C)";
                break;
            }

            var epochStart = Stopwatch.GetTimestamp();
            var order = trainIdx.ToArray();
            random.Shuffle(order);
            double lossSum = 0;
            var correct = 0;
            for (var b = 0; b < order.Length; b += settings.BatchSize)
            {
                if (stop.IsCancellationRequested && bestStage is not null) break;
                using var scope = NewDisposeScope();
                var batch = order[b..Math.Min(order.Length, b + settings.BatchSize)];
                var x = Batch(batch, original, flipped, activationShape, perSample, settings, random);
                var y = tensor(batch.Select(i => (long)labels[i]).ToArray());
                var logits = nn.functional.linear(segment.Forward(x), headW, headB);
                var loss = SmoothedCrossEntropy(logits, y, settings.LabelSmoothing);
                loss.backward();
                var rate = OneCycle(step++, totalSteps, settings.LearningRate);
                using (no_grad())
                {
                    for (var p = 0; p < velocities.Count; p++)
                    {
                        var param = p < stage.Count ? stage[p] : (p == stage.Count ? headW : headB);
                        var lr = p < stage.Count ? rate : rate * settings.HeadLearningRateFactor;
                        var grad = param.grad!;
                        if (param.dim() > 1) grad = grad.add(param, alpha: settings.WeightDecay);
                        velocities[p].mul_(settings.Momentum).add_(grad);
                        param.add_(velocities[p], alpha: -lr);
                        param.grad!.zero_();
                    }
                }

                lossSum += loss.item<float>() * batch.Length;
                correct += (int)logits.argmax(1).eq(y).sum().item<long>();
            }

            var (holdLogits, _) = Logits(segment, headW, headB, holdIdx, original, activationShape, perSample);
            var holdLabels = holdIdx.Select(i => labels[i]).ToArray();
            var holdAccuracy = Accuracy(holdLogits, holdLabels, classes);
            var holdLoss = NegativeLogLikelihood(holdLogits, holdLabels, classes, 1.0);
            var isBest = holdAccuracy > best.Accuracy || (holdAccuracy == best.Accuracy && holdLoss < best.Loss);
            if (isBest)
            {
                best = (holdAccuracy, holdLoss);
                bestStage = segment.Snapshot();
                bestW = headW.detach().data<float>().ToArray();
                bestB = headB.detach().data<float>().ToArray();
                bestEpoch = epoch;
                sinceBest = 0;
            }
            else
            {
                sinceBest++;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var perEpoch = Stopwatch.GetElapsedTime(epochStart);
            var report = new EpochReport(epoch, settings.Epochs, lossSum / order.Length, (double)correct / order.Length, holdLoss, holdAccuracy, isBest, elapsed,
                perEpoch * (settings.Epochs - epoch));
            history.Add(report);
            progress?.Report(report);
            if (sinceBest >= settings.Patience)
            {
                stopped = $"early stop: no better hold-out score for {settings.Patience} epochs";
                break;
            }

            if (settings.Budget is { } budget && elapsed + perEpoch > budget && epoch < settings.Epochs)
            {
                stopped = $"time budget of {budget.TotalMinutes:0.#} minutes";
                break;
            }
        }

        // The best epoch, calibrated on the same hold-out.
        segment.Restore(bestStage!);
        using var w = tensor(bestW, [classes, width]);
        using var bias = tensor(bestB, [classes]);
        var (logitsBest, _) = Logits(segment, w, bias, holdIdx, original, activationShape, perSample);
        var truth = holdIdx.Select(i => labels[i]).ToArray();
        var temperature = FitTemperature(logitsBest, truth, classes);
        var accuracy = Accuracy(logitsBest, truth, classes);
        var (low, high) = Wilson(accuracy, truth.Length);
        return new FineTuneResult(
            bestStage!, bestW, bestB, classes, width, bestEpoch, history.Count, stopped, accuracy, low, high, trainIdx.Length, holdIdx.Length, temperature,
            Ece(logitsBest, truth, classes, 1.0), Ece(logitsBest, truth, classes, temperature), history, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Top-1 of a fine-tuned result on cached activations (the un-mirrored ones) of <paramref name="rows"/>, with the
    /// expected calibration error there before and after its hold-out temperature (as the served model would score).
    /// </summary>
    public static FoldScore Score(
        GraphProto graph, string cut, string features, long[] activationShape, FineTuneResult result, IReadOnlyList<float[]> original, IReadOnlyList<int> labels, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(rows);
        using var segment = new OnnxSegment(graph, cut, features, trainable: true);
        segment.Restore(result.StageWeights);
        using var w = tensor(result.HeadWeights, [result.Classes, result.Width]);
        using var b = tensor(result.HeadBias, [result.Classes]);
        var (logits, _) = Logits(segment, w, b, rows, original, activationShape, activationShape.Aggregate(1L, (x, y) => x * y));
        int[] truth = [.. rows.Select(i => labels[i])];
        return new FoldScore(Accuracy(logits, truth, result.Classes), Ece(logits, truth, result.Classes, 1.0), Ece(logits, truth, result.Classes, result.Temperature));
    }

    /// <summary>Linear warm-up over the first 30 % of the steps, then cosine decay to zero.</summary>
    internal static double OneCycle(int step, int total, double peak)
    {
        var warm = Math.Max(1, (int)(0.3 * total));
        if (step < warm) return peak * (0.1 + (0.9 * step / warm));
        var t = (double)(step - warm) / Math.Max(1, total - warm);
        return peak * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, t)));
    }

    /// <summary>95 % Wilson score interval for an accuracy measured on <paramref name="n"/> images.</summary>
    internal static (double Low, double High) Wilson(double p, int n)
    {
        const double z = 1.959963984540054;
        if (n == 0) return (0, 1);
        var denominator = 1 + (z * z / n);
        var centre = (p + (z * z / (2 * n))) / denominator;
        var half = z * Math.Sqrt((p * (1 - p) / n) + (z * z / (4.0 * n * n))) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static Tensor SmoothedCrossEntropy(Tensor logits, Tensor target, double smoothing)
    {
        var logp = nn.functional.log_softmax(logits, 1);
        var nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1);
        var uniform = -logp.mean([1]);
        return (((1 - smoothing) * nll) + (smoothing * uniform)).mean();
    }

    private static Tensor Batch(
        int[] batch, IReadOnlyList<float[]> original, IReadOnlyList<float[]> flipped, long[] shape, long perSample, FineTuneSettings settings, Random random)
    {
        var buffer = new float[batch.Length * perSample];
        for (var i = 0; i < batch.Length; i++)
        {
            var source = settings.Flips && random.Next(2) == 1 ? flipped[batch[i]] : original[batch[i]];
            var dx = settings.MaxShift == 0 ? 0 : random.Next(-settings.MaxShift, settings.MaxShift + 1);
            var dy = settings.MaxShift == 0 ? 0 : random.Next(-settings.MaxShift, settings.MaxShift + 1);
            Shift(source, buffer.AsSpan((int)(i * perSample), (int)perSample), (int)shape[0], (int)shape[1], (int)shape[2], dx, dy);
        }

        return tensor(buffer, [batch.Length, .. shape]);
    }

    /// <summary>Copies a C x H x W map moved by (dx, dy) cells; cells moved in from outside are zero (post-ReLU "nothing").</summary>
    private static void Shift(float[] source, Span<float> destination, int channels, int height, int width, int dx, int dy)
    {
        if (dx == 0 && dy == 0)
        {
            source.CopyTo(destination);
            return;
        }

        destination.Clear();
        for (var c = 0; c < channels; c++)
        {
            for (var y = 0; y < height; y++)
            {
                var sy = y - dy;
                if (sy < 0 || sy >= height) continue;
                var x0 = Math.Max(0, dx);
                var x1 = Math.Min(width, width + dx);
                source.AsSpan((((c * height) + sy) * width) + x0 - dx, x1 - x0).CopyTo(destination.Slice((((c * height) + y) * width) + x0, x1 - x0));
            }
        }
    }

    private static (float[] Logits, int Count) Logits(
        OnnxSegment segment, Tensor w, Tensor b, int[] rows, IReadOnlyList<float[]> original, long[] shape, long perSample)
    {
        var result = new List<float>();
        using var _ = no_grad();
        for (var start = 0; start < rows.Length; start += 32)
        {
            using var scope = NewDisposeScope();
            var chunk = rows[start..Math.Min(rows.Length, start + 32)];
            var buffer = new float[chunk.Length * perSample];
            for (var i = 0; i < chunk.Length; i++) original[chunk[i]].CopyTo(buffer.AsSpan((int)(i * perSample)));
            result.AddRange(nn.functional.linear(segment.Forward(tensor(buffer, [chunk.Length, .. shape])), w, b).data<float>().ToArray());
        }

        return ([.. result], rows.Length);
    }

    private static double[] Softmax(ReadOnlySpan<float> logits, double temperature)
    {
        var max = double.MinValue;
        foreach (var v in logits) max = Math.Max(max, v / temperature);
        var p = new double[logits.Length];
        double sum = 0;
        for (var k = 0; k < p.Length; k++) sum += p[k] = Math.Exp((logits[k] / temperature) - max);
        for (var k = 0; k < p.Length; k++) p[k] /= sum;
        return p;
    }

    private static double Accuracy(float[] logits, int[] truth, int classes)
    {
        var correct = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            var row = logits.AsSpan(i * classes, classes);
            var arg = 0;
            for (var k = 1; k < classes; k++) if (row[k] > row[arg]) arg = k;
            if (arg == truth[i]) correct++;
        }

        return (double)correct / truth.Length;
    }

    private static double NegativeLogLikelihood(float[] logits, int[] truth, int classes, double temperature)
    {
        double sum = 0;
        for (var i = 0; i < truth.Length; i++) sum -= Math.Log(Math.Max(1e-12, Softmax(logits.AsSpan(i * classes, classes), temperature)[truth[i]]));
        return sum / truth.Length;
    }

    /// <summary>The temperature minimising hold-out log-loss: golden-section search on log T over [0.05, 20].</summary>
    internal static double FitTemperature(float[] logits, int[] truth, int classes)
    {
        double a = Math.Log(0.05), b = Math.Log(20);
        var g = (Math.Sqrt(5) - 1) / 2;
        for (var i = 0; i < 60; i++)
        {
            var c = b - (g * (b - a));
            var d = a + (g * (b - a));
            if (NegativeLogLikelihood(logits, truth, classes, Math.Exp(c)) < NegativeLogLikelihood(logits, truth, classes, Math.Exp(d))) b = d;
            else a = c;
        }

        return Math.Exp((a + b) / 2);
    }

    /// <summary>Expected calibration error over 15 equal-width confidence bins (as <c>carclass evaluate</c> reports it).</summary>
    private static double Ece(float[] logits, int[] truth, int classes, double temperature)
    {
        const int bins = 15;
        var count = new int[bins];
        var confidence = new double[bins];
        var hits = new double[bins];
        for (var i = 0; i < truth.Length; i++)
        {
            var p = Softmax(logits.AsSpan(i * classes, classes), temperature);
            var arg = Array.IndexOf(p, p.Max());
            var bin = Math.Min(bins - 1, (int)(p[arg] * bins));
            count[bin]++;
            confidence[bin] += p[arg];
            hits[bin] += arg == truth[i] ? 1 : 0;
        }

        double ece = 0;
        for (var k = 0; k < bins; k++) if (count[k] > 0) ece += Math.Abs(hits[k] - confidence[k]) / truth.Length;
        return ece;
    }
}
