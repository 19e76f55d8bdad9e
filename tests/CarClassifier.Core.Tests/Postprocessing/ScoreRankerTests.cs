using CarClassifier.Core.Models;
using CarClassifier.Core.Postprocessing;

namespace CarClassifier.Core.Tests.Postprocessing;

public sealed class ScoreRankerTests
{
    private static readonly string[] Labels = ["zero", "one", "two", "three", "four"];

    [Fact]
    public void TopK_Logits_ReturnsSoftmaxProbabilitiesInDescendingOrder()
    {
        float[] logits = [1f, 3f, 0f, 2f, -1f];

        var top = ScoreRanker.TopK(logits, OutputKind.Logits, Labels, 3);

        Assert.Equal(["one", "three", "zero"], top.Select(t => t.Label));
        var denominator = logits.Sum(l => Math.Exp(l));
        Assert.Equal(Math.Exp(3) / denominator, top[0].Probability, 5);
        Assert.Equal(Math.Exp(2) / denominator, top[1].Probability, 5);
    }

    [Fact]
    public void TopK_LargeLogits_DoNotOverflow()
    {
        float[] logits = [1000f, 999f, 0f, 0f, 0f];

        var top = ScoreRanker.TopK(logits, OutputKind.Logits, Labels, 2);

        Assert.Equal(1 / (1 + Math.Exp(-1)), top[0].Probability, 4);
        Assert.True(float.IsFinite(top[1].Probability));
    }

    [Fact]
    public void TopK_Probabilities_PassedThroughUnchanged()
    {
        float[] probabilities = [0.1f, 0.2f, 0.4f, 0.25f, 0.05f];

        var top = ScoreRanker.TopK(probabilities, OutputKind.Probabilities, Labels, 5);

        Assert.Equal([2, 3, 1, 0, 4], top.Select(t => t.Index));
        Assert.Equal(0.4f, top[0].Probability);
    }

    [Fact]
    public void TopK_KLargerThanClasses_ReturnsAllClasses()
    {
        var top = ScoreRanker.TopK(new float[] { 0, 1, 2, 3, 4 }, OutputKind.Logits, Labels, 50);

        Assert.Equal(5, top.Length);
    }

    [Fact]
    public void TopK_ScoreCountDiffersFromLabels_Throws()
    {
        Assert.Throws<ArgumentException>(() => ScoreRanker.TopK(new float[3], OutputKind.Logits, Labels, 1));
    }
}
