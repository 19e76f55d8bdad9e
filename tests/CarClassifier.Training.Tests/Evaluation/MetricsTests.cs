using CarClassifier.Training.Evaluation;

namespace CarClassifier.Training.Tests.Evaluation;

public sealed class MetricsTests
{
    [Fact]
    public void InTopK_CountsTiesAgainstTheTrueLabel()
    {
        float[] scores = [0.1f, 0.4f, 0.4f, 0.05f, 0.05f];
        Assert.True(Metrics.InTopK(scores, 1, 2));
        Assert.False(Metrics.InTopK(scores, 1, 1));
        Assert.False(Metrics.InTopK(scores, 3, 4));
        Assert.True(Metrics.InTopK(scores, 3, 5));
    }

    [Fact]
    public void Calibration_OverconfidentModel_HasTheGapAsEce_PerfectlyCalibratedHasZero()
    {
        // Always 90 % sure, right half the time: ECE 0.4.
        var (overconfident, bins) = Metrics.Calibration([0.9, 0.9, 0.9, 0.9], [true, false, true, false]);
        Assert.Equal(0.4, overconfident, 9);
        Assert.Equal(4, bins.Single(b => b.Count > 0).Count);

        // 100 % sure and always right, 50 % sure and right half the time: ECE 0.
        var (calibrated, _) = Metrics.Calibration([1.0, 1.0, 0.5, 0.5], [true, true, true, false]);
        Assert.Equal(0, calibrated, 9);
    }
}
