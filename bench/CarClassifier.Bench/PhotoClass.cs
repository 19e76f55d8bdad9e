namespace CarClassifier.Bench;

/// <summary>A size class of JPEG photos decoded in the benchmarks, e.g. "1920x1080" and its files.</summary>
internal sealed record PhotoClass(string Name, IReadOnlyList<PhotoFile> Files)
{
    public double MeanMegapixels => Files.Average(f => f.Width * (double)f.Height) / 1e6;
}
