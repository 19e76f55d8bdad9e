namespace CarClassifier.Training.Evaluation;

/// <summary>The arithmetic of evaluation, on plain arrays so it can be tested without a model.</summary>
public static class Metrics
{
    public const int CalibrationBins = 15;

    /// <summary>True when <paramref name="label"/> is among the <paramref name="k"/> highest scores (ties count against it).</summary>
    public static bool InTopK(ReadOnlySpan<float> scores, int label, int k)
    {
        int higher = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (i != label && scores[i] >= scores[label]) higher++;
        }

        return higher < k;
    }

    /// <summary>
    /// Equal-width bins over the top confidence; ECE = sum over bins of (bin share) * |accuracy - mean confidence|.
    /// </summary>
    public static (double Ece, IReadOnlyList<CalibrationBin> Bins) Calibration(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, int bins = CalibrationBins)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(correct);
        var result = new List<CalibrationBin>();
        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            double lower = (double)b / bins, upper = (double)(b + 1) / bins;
            var members = Enumerable.Range(0, confidence.Count)
                .Where(i => confidence[i] >= lower && (confidence[i] < upper || (b == bins - 1 && confidence[i] <= upper)))
                .ToList();
            if (members.Count == 0)
            {
                result.Add(new CalibrationBin(lower, upper, 0, 0, 0));
                continue;
            }

            var meanConfidence = members.Average(i => confidence[i]);
            var accuracy = members.Count(i => correct[i]) / (double)members.Count;
            ece += members.Count / (double)confidence.Count * Math.Abs(accuracy - meanConfidence);
            result.Add(new CalibrationBin(lower, upper, members.Count, meanConfidence, accuracy));
        }

        return (ece, result);
    }
}
