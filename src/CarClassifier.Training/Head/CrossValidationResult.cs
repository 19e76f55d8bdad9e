namespace CarClassifier.Training.Head;

/// <summary>Per-fold top-1 accuracy of the head and of the nearest-class-mean baseline, with the L2 strength each fold chose.</summary>
public sealed record CrossValidationResult(int Folds, int Images, IReadOnlyList<double> HeadTop1, IReadOnlyList<double> BaselineTop1, IReadOnlyList<double> Lambdas, TimeSpan Elapsed)
{
    public double HeadMean => HeadTop1.Average();

    public double HeadStd => Std(HeadTop1);

    public double BaselineMean => BaselineTop1.Average();

    public double BaselineStd => Std(BaselineTop1);

    /// <summary>Sample standard deviation across folds.</summary>
    private static double Std(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
