using CarClassifier.Core.Storage;

namespace CarClassifier.Core.Tests.Storage;

public sealed class BlobNameAddressingTests
{
    [Theory]
    [InlineData("names/dd/../y.jpg")]
    [InlineData("names/dd/../../../z.jpg")]
    [InlineData("names/./dot.jpg")]
    [InlineData("./a.jpg")]
    [InlineData("a/..")]
    public void IsAddressable_DotSegment_False(string name) => Assert.False(BlobNameAddressing.IsAddressable(name));

    [Theory]
    [InlineData("names/y.jpg")]
    [InlineData("/names-lead.jpg")]
    [InlineData("names/a//b.jpg")]
    [InlineData("names/dd./trail.jpg")]
    [InlineData("names/...jpg")]
    [InlineData("names/%2E%2E/literal-percent.jpg")]
    public void IsAddressable_NoDotSegment_True(string name) => Assert.True(BlobNameAddressing.IsAddressable(name));

    [Fact]
    public void UnaddressableReason_SaysWhatToDo_WithoutATypeName()
    {
        Assert.Contains("Rename the blob", BlobNameAddressing.UnaddressableReason, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"[A-Z]\w*Exception", BlobNameAddressing.UnaddressableReason);
    }
}
