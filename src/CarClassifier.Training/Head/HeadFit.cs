namespace CarClassifier.Training.Head;

/// <summary>The final head (refitted on every image with the chosen strength) and how the strength was chosen.</summary>
public sealed record HeadFit(SoftmaxHead Head, double Lambda, IReadOnlyList<LambdaScore> Path, int TrainImages, int ValidationImages, TimeSpan Elapsed)
{
    public LambdaScore Chosen => Path.First(p => p.Lambda == Lambda);
}
