using CarClassifier.Core.Results;

namespace CarClassifier.Core.Tests.Results;

public sealed class ResultKeysTests
{
    [Theory]
    [InlineData("images/a/b/c.jpg")]
    [InlineData("images/with space#and?query.jpg")]
    [InlineData("images/back\\slash%percent.png")]
    [InlineData("images/ünïcödé/車.jpg")]
    [InlineData("images/control\u0001\u001f\u007f.jpg")]
    public void For_AnyBlobPath_ProducesKeysTableStorageAccepts(string path)
    {
        var (partition, row) = ResultKeys.For(path);

        Assert.Matches("^[0-9a-f]{2}$", partition);
        Assert.DoesNotContain(row, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        Assert.True(row.Length <= ResultKeys.MaxRowKeyChars);
    }

    [Fact]
    public void For_SamePath_IsStable()
    {
        Assert.Equal(ResultKeys.For("images/x.jpg"), ResultKeys.For("images/x.jpg"));
    }

    [Fact]
    public void For_PathsThatOnlyDifferInEscapedCharacters_GetDifferentRowKeys()
    {
        var slash = ResultKeys.For("images/a/b").RowKey;
        var encoded = ResultKeys.For("images/a%2Fb").RowKey;

        Assert.NotEqual(slash, encoded);
    }

    [Fact]
    public void For_VeryLongNames_TruncatedButUnique()
    {
        var a = "images/" + new string('a', 1000) + "1.jpg";
        var b = "images/" + new string('a', 1000) + "2.jpg";

        var keyA = ResultKeys.For(a).RowKey;
        var keyB = ResultKeys.For(b).RowKey;

        Assert.NotEqual(keyA, keyB);
        Assert.Equal(ResultKeys.MaxRowKeyChars, keyA.Length);
    }

    [Fact]
    public void For_ManyPaths_SpreadOverManyPartitions()
    {
        var partitions = Enumerable.Range(0, 2000).Select(i => ResultKeys.For($"images/car{i}.jpg").PartitionKey).Distinct().Count();

        Assert.True(partitions > 200, $"only {partitions} partitions used");
    }
}
