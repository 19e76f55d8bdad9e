using CarClassifier.Training.Head;

namespace CarClassifier.Training.Tests.Head;

public sealed class StratifiedSplitTests
{
    private static readonly int[] Labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 5), .. Enumerable.Repeat(2, 2)];

    [Fact]
    public void Holdout_EveryClassKeepsImagesOnBothSidesAndTheSeedFixesTheSplit()
    {
        // Act
        var (train, validation) = StratifiedSplit.Holdout(Labels, 0.2, seed: 42);
        var again = StratifiedSplit.Holdout(Labels, 0.2, seed: 42);
        var other = StratifiedSplit.Holdout(Labels, 0.2, seed: 43);

        // Assert
        Assert.Equal(Labels.Length, train.Length + validation.Length);
        Assert.Empty(train.Intersect(validation));
        foreach (var label in new[] { 0, 1, 2 })
        {
            Assert.Contains(train, i => Labels[i] == label);
            Assert.Contains(validation, i => Labels[i] == label);
        }

        Assert.Equal(2, validation.Count(i => Labels[i] == 0));
        Assert.Equal(train, again.Train);
        Assert.NotEqual(validation, other.Validation);
    }

    [Fact]
    public void Folds_SpreadEachClassEvenly()
    {
        // Act
        var folds = StratifiedSplit.Folds(Labels, 5, seed: 1);

        // Assert: class 0 (10 images) puts exactly 2 in every fold; no fold is empty.
        Assert.All(Enumerable.Range(0, 5), f => Assert.Equal(2, Enumerable.Range(0, Labels.Length).Count(i => Labels[i] == 0 && folds[i] == f)));
        Assert.All(Enumerable.Range(0, 5), f => Assert.Contains(f, folds));
    }
}
