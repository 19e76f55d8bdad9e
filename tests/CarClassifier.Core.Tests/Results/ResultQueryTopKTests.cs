using CarClassifier.Core.Results;

namespace CarClassifier.Core.Tests.Results;

public sealed class ResultQueryTopKTests
{
    [Fact]
    public void ParseTopK_StoredJson_ReadsIndexLabelProbability()
    {
        var top = ResultQuery.ParseTopK("""[{"index":817,"label":"sports car","probability":0.91},{"index":511,"label":"convertible","probability":0.05}]""");

        Assert.Equal(2, top.Count);
        Assert.Equal(817, top[0].Index);
        Assert.Equal("sports car", top[0].Label);
        Assert.Equal(0.91f, top[0].Probability);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{not json")]
    public void ParseTopK_MissingOrBroken_IsEmpty(string? json)
    {
        Assert.Empty(ResultQuery.ParseTopK(json));
    }
}
