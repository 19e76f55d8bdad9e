using CarClassifier.Training.Head;

namespace CarClassifier.Training.Tests.Head;

public sealed class SoftmaxTrainerTests
{
    [Fact]
    public void Objective_Gradient_MatchesFiniteDifferences()
    {
        // Arrange: a small random problem.
        var random = new Random(7);
        var rows = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 5).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToList();
        var labels = Enumerable.Range(0, 20).Select(i => i % 3).ToList();
        var parameters = Enumerable.Range(0, (3 * 5) + 3).Select(_ => random.NextDouble() - 0.5).ToArray();
        var gradient = new double[parameters.Length];

        // Act
        SoftmaxTrainer.Objective(rows, labels, 3, 5, 0.1, parameters, gradient);

        // Assert
        for (int i = 0; i < parameters.Length; i++)
        {
            var plus = (double[])parameters.Clone();
            var minus = (double[])parameters.Clone();
            plus[i] += 1e-4;
            minus[i] -= 1e-4;
            var numeric = (SoftmaxTrainer.Objective(rows, labels, 3, 5, 0.1, plus, new double[parameters.Length])
                - SoftmaxTrainer.Objective(rows, labels, 3, 5, 0.1, minus, new double[parameters.Length])) / 2e-4;
            Assert.True(Math.Abs(numeric - gradient[i]) < 1e-4, $"parameter {i}: analytic {gradient[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Fit_SeparableClusters_ClassifiesEveryPointAndConverges()
    {
        // Arrange: three well-separated clusters in 4 dimensions.
        var random = new Random(3);
        var centres = new[] { new[] { 3f, 0, 0, 0 }, new[] { 0f, 3, 0, 0 }, new[] { 0f, 0, 3, 0 } };
        var labels = Enumerable.Range(0, 90).Select(i => i % 3).ToList();
        var rows = labels.Select(l => centres[l].Select(c => c + ((float)random.NextDouble() - 0.5f)).ToArray()).ToList();
        var standardizer = Standardizer.Fit(rows);
        var z = rows.Select(r => standardizer.Apply(r)).ToList();

        // Act
        var head = SoftmaxTrainer.ToHead(SoftmaxTrainer.Fit(z, labels, 3, 1e-3), standardizer, 3, 4);

        // Assert
        Assert.All(Enumerable.Range(0, rows.Count), i => Assert.Equal(labels[i], HeadFitter.ArgMax(head.Predict(rows[i]))));
        Assert.All(rows, r => Assert.Equal(1.0, head.Predict(r).Sum(), 4));
    }

    [Fact]
    public void Fit_StrongerPenalty_GivesSmallerWeights()
    {
        // Arrange
        var random = new Random(5);
        var labels = Enumerable.Range(0, 60).Select(i => i % 2).ToList();
        var rows = labels.Select(l => new[] { l + (float)random.NextDouble(), (float)random.NextDouble() }).ToList();

        // Act
        var weak = SoftmaxTrainer.Fit(rows, labels, 2, 1e-4);
        var strong = SoftmaxTrainer.Fit(rows, labels, 2, 1.0);

        // Assert
        Assert.True(strong.Take(4).Sum(w => w * w) < weak.Take(4).Sum(w => w * w));
    }
}
