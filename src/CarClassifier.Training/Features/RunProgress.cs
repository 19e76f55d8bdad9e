namespace CarClassifier.Training.Features;

/// <summary>How far a run over image files has got, for progress bars (images/s and ETA follow from it).</summary>
public readonly record struct RunProgress(int Done, int Total, TimeSpan Elapsed)
{
    public double ImagesPerSecond => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    public TimeSpan? Eta => Done > 0 && Done < Total ? TimeSpan.FromSeconds(Elapsed.TotalSeconds / Done * (Total - Done)) : null;
}
