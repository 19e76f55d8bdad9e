using CarClassifier.Core.Messaging;
using CarClassifier.Core.Messaging.ServiceBus;

namespace CarClassifier.Worker.Tests.Messaging;

public sealed class ClassifyMessagesTests
{
    [Fact]
    public void MessageIdFor_SameBlobVersion_IsStable_SoDuplicateDetectionDropsARepeat()
    {
        Assert.Equal(ClassifyMessages.MessageIdFor("images", "a/car.jpg", "\"0x1\""), ClassifyMessages.MessageIdFor("images", "a/car.jpg", "0x1"));
    }

    [Theory]
    [InlineData("images", "a/car.jpg", "0x2")]
    [InlineData("images", "a/car2.jpg", "0x1")]
    [InlineData("other", "a/car.jpg", "0x1")]
    public void MessageIdFor_OverwrittenOrOtherBlob_Differs(string container, string blob, string etag)
    {
        Assert.NotEqual(ClassifyMessages.MessageIdFor("images", "a/car.jpg", "0x1"), ClassifyMessages.MessageIdFor(container, blob, etag));
    }

    [Fact]
    public void MessageIdFor_LongBlobPath_StaysWithinServiceBusLimit()
    {
        Assert.InRange(ClassifyMessages.MessageIdFor("images", new string('x', 1024), "0x1").Length, 1, 128);
    }

    [Fact]
    public void ToMessage_CarriesClaimCheckCorrelationAndTraceParent()
    {
        var request = new ClassifyRequest { Container = "images", BlobName = "b.jpg", ETag = "0x9", CorrelationId = "corr", TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

        var message = ClassifyMessages.ToMessage(request);

        Assert.Equal(request, ClassifyRequest.Parse(message.Body.ToString()));
        Assert.Equal("corr", message.CorrelationId);
        Assert.Equal(request.TraceParent, message.ApplicationProperties[ClassifyMessages.TraceParentProperty]);
        Assert.Equal(ClassifyMessages.MessageIdFor("images", "b.jpg", "0x9"), message.MessageId);
    }
}
