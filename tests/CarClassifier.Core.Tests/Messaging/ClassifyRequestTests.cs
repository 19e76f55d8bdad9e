using CarClassifier.Core.Messaging;

namespace CarClassifier.Core.Tests.Messaging;

public sealed class ClassifyRequestTests
{
    [Fact]
    public void Parse_RoundTrip_KeepsEveryField()
    {
        var request = new ClassifyRequest
        {
            Container = "images",
            BlobName = "cars/red car #1.jpg",
            ETag = "\"0x8DC\"",
            SizeBytes = 12345,
            EnqueuedAt = new DateTimeOffset(2026, 11, 27, 20, 0, 0, TimeSpan.Zero),
            CorrelationId = "abc",
        };

        var parsed = ClassifyRequest.Parse(request.ToJson());

        Assert.Equal(request, parsed);
    }

    [Fact]
    public void ToJson_NeverCarriesImageBytes_StaysSmall()
    {
        var json = new ClassifyRequest { Container = "images", BlobName = new string('n', 1024), CorrelationId = "c" }.ToJson();

        Assert.True(json.Length < 2048);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"container\":\"images\"}")]
    [InlineData("null")]
    public void Parse_NotARequest_ThrowsInvalidDataException(string body)
    {
        Assert.Throws<InvalidDataException>(() => ClassifyRequest.Parse(body));
    }
}
