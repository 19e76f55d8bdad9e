using System.Diagnostics;

namespace CarClassifier.Training.Head;

/// <summary>
/// Stratified k-fold cross-validation of the whole head recipe: inside each training fold the L2 strength is chosen on a
/// nested hold-out exactly as <see cref="HeadFitter"/> does, so the held-out fold never influences any choice.
/// </summary>
public static class CrossValidation
{
    public static CrossValidationResult Run(
        IReadOnlyList<float[]> original, IReadOnlyList<float[]> flipped, IReadOnlyList<int> labels, int classes, int folds, HeadSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(settings);
        var started = Stopwatch.GetTimestamp();
        var fold = StratifiedSplit.Folds(labels, folds, settings.Seed);
        var head = new List<double>();
        var baseline = new List<double>();
        var lambdas = new List<double>();
        for (int f = 0; f < folds; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var train = Enumerable.Range(0, labels.Count).Where(i => fold[i] != f).ToArray();
            var test = Enumerable.Range(0, labels.Count).Where(i => fold[i] == f).ToArray();
            var fit = HeadFitter.Fit(
                [.. train.Select(i => original[i])], [.. train.Select(i => flipped[i])], [.. train.Select(i => labels[i])], classes, settings, cancellationToken);
            head.Add(HeadFitter.Score(fit.Head, [.. test.Select(i => original[i])], [.. test.Select(i => labels[i])], fit.Lambda).Accuracy);
            lambdas.Add(fit.Lambda);

            var ncm = new NearestClassMean([.. train.Select(i => original[i])], [.. train.Select(i => labels[i])], classes);
            baseline.Add(test.Count(i => ncm.Predict(original[i]) == labels[i]) / (double)test.Length);
        }

        return new CrossValidationResult(folds, labels.Count, head, baseline, lambdas, Stopwatch.GetElapsedTime(started));
    }
}
