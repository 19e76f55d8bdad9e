using CarClassifier.Training.FineTuning;

namespace CarClassifier.Training.Tests.FineTuning;

public sealed class FineTunerMathTests
{
    [Fact]
    public void Wilson_interval_matches_the_textbook_value_and_stays_inside_0_1()
    {
        // 45 of 48 right: the 95 % Wilson interval is 0.832-0.979 (z = 1.96).
        var (low, high) = FineTuner.Wilson(45.0 / 48, 48);
        Assert.Equal(0.8316, low, 1e-3);
        Assert.Equal(0.9785, high, 1e-3);
        var (allLow, allHigh) = FineTuner.Wilson(1, 12);
        Assert.InRange(allLow, 0.7, 0.8);
        Assert.Equal(1, allHigh);
    }

    [Fact]
    public void Temperature_fit_recovers_the_temperature_that_made_the_labels()
    {
        // Labels drawn from softmax(z / 2.5): the log-loss minimiser is close to 2.5.
        var random = new Random(11);
        const int n = 4000, k = 4;
        var logits = new float[n * k];
        var truth = new int[n];
        for (var i = 0; i < n; i++)
        {
            var p = new double[k];
            for (var c = 0; c < k; c++) p[c] = Math.Exp((logits[(i * k) + c] = (float)(random.NextDouble() * 8)) / 2.5);
            var u = random.NextDouble() * p.Sum();
            var label = 0;
            while ((u -= p[label]) > 0 && label < k - 1) label++;
            truth[i] = label;
        }

        Assert.InRange(FineTuner.FitTemperature(logits, truth, k), 2.2, 2.8);
    }

    [Fact]
    public void One_cycle_warms_up_peaks_and_decays_to_zero()
    {
        Assert.Equal(0.001, FineTuner.OneCycle(0, 100, 0.01), 6);
        Assert.Equal(0.01, FineTuner.OneCycle(30, 100, 0.01), 6);
        Assert.True(FineTuner.OneCycle(60, 100, 0.01) < 0.01);
        Assert.Equal(0, FineTuner.OneCycle(100, 100, 0.01), 6);
    }
}
