using CarClassifier.Core.Results;
using CarClassifier.Functions.Http;

namespace CarClassifier.EndToEnd.Tests.Functions;

public sealed class ResultApiRequestTests
{
    [Fact]
    public void TryParse_NothingGiven_UsesDefaults()
    {
        Assert.True(ResultApiRequest.TryParse(null, null, null, out var request, out _));

        Assert.Equal(new ResultApiRequest(null, ResultQuery.DefaultPageSize, null), request);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1001")]
    [InlineData("ten")]
    [InlineData("1e3")]
    public void TryParse_BadPageSize_FailsWithAReason(string pageSize)
    {
        Assert.False(ResultApiRequest.TryParse("cars/", pageSize, null, out _, out var error));

        Assert.Contains("pageSize", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_RoundTrips_ThroughAUrlSafeForm()
    {
        var raw = "1!8!ZmY-?NextRowKey=images%2Fa b/c+d==";

        var encoded = ResultApiRequest.EncodeToken(raw)!;
        Assert.True(ResultApiRequest.TryParse("p/", "5", encoded, out var request, out _));

        Assert.DoesNotContain('+', encoded);
        Assert.DoesNotContain('/', encoded);
        Assert.DoesNotContain('=', encoded);
        Assert.Equal(new ResultApiRequest("p/", 5, raw), request);
    }

    [Fact]
    public void TryParse_ContinuationThatIsNotBase64_Fails()
    {
        Assert.False(ResultApiRequest.TryParse(null, null, "not*base64!", out _, out var error));

        Assert.Contains("continuation", error, StringComparison.Ordinal);
    }
}
