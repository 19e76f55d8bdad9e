using CarClassifier.Core.Models;

namespace CarClassifier.Core.Postprocessing;

/// <summary>Turns one image's raw model output into its top-k classes (softmax first when the model emits logits).</summary>
public static class ScoreRanker
{
    public static ClassScore[] TopK(ReadOnlySpan<float> scores, OutputKind kind, IReadOnlyList<string> labels, int k)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (scores.Length != labels.Count)
        {
            throw new ArgumentException($"The model produced {scores.Length} scores but there are {labels.Count} labels.", nameof(scores));
        }

        k = Math.Min(k, scores.Length);

        // Softmax only needs the max and the sum; the top-k is picked on the raw scores (same order),
        // so we never materialise a probability array.
        float max = float.NegativeInfinity;
        foreach (var s in scores)
        {
            if (s > max) max = s;
        }

        double sum = 0;
        if (kind == OutputKind.Logits)
        {
            foreach (var s in scores) sum += Math.Exp(s - max);
        }

        Span<int> best = stackalloc int[k];
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (float.IsNaN(s)) continue;
            if (count == k && s <= scores[best[k - 1]]) continue;
            var pos = count < k ? count++ : k - 1;
            while (pos > 0 && scores[best[pos - 1]] < s)
            {
                best[pos] = best[pos - 1];
                pos--;
            }

            best[pos] = i;
        }

        var result = new ClassScore[count];
        for (var r = 0; r < count; r++)
        {
            var i = best[r];
            var p = kind == OutputKind.Logits ? (float)(Math.Exp(scores[i] - max) / sum) : scores[i];
            result[r] = new ClassScore(i, labels[i], p);
        }

        return result;
    }
}
