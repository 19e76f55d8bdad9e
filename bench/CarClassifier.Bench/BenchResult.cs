namespace CarClassifier.Bench;

/// <summary>One measured number: what, under which variant, its median and spread, and its unit.</summary>
/// <param name="Section">decode, pillow, inference, ort-settings, e2e, azurite.</param>
/// <param name="Case">What was measured, e.g. the photo size class or the batch size.</param>
/// <param name="Variant">Which implementation or setting, e.g. the decoder name.</param>
internal sealed record BenchResult(string Section, string Case, string Variant, string Unit, Stats Stats)
{
    /// <summary>Extra numbers for the row (ratios, latency percentiles, bytes allocated).</summary>
    public Dictionary<string, double> Extra { get; init; } = [];
}
