using Azure.Messaging.ServiceBus;
using CarClassifier.TestBroker;

namespace CarClassifier.Worker.Tests.TestBroker;

/// <summary>
/// The test broker, driven by the real Azure.Messaging.ServiceBus client over TCP: each test is a Service Bus
/// behaviour the classifier relies on, so a broker that drifted from the service would fail here first.
/// </summary>
public sealed class ServiceBusTestBrokerTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly ServiceBusTestBroker _broker = new();
    private ServiceBusClient _client = null!;

    public Task InitializeAsync()
    {
        _client = new ServiceBusClient(_broker.ConnectionString, new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { MaxRetries = 1, TryTimeout = TimeSpan.FromSeconds(10) },
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        _broker.Dispose();
    }

    [Fact]
    public async Task SendReceiveComplete_OneMessage_RoundTripsBodyAndPropertiesAndEmptiesQueue()
    {
        var queue = _broker.CreateQueue("q");
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("hello") { MessageId = "m-1", CorrelationId = "c-1", ApplicationProperties = { ["traceparent"] = "00-abc-def-01" } });

        await using var receiver = _client.CreateReceiver("q");
        var message = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(message);
        Assert.Equal("hello", message.Body.ToString());
        Assert.Equal("m-1", message.MessageId);
        Assert.Equal("c-1", message.CorrelationId);
        Assert.Equal("00-abc-def-01", message.ApplicationProperties["traceparent"]);
        Assert.Equal(1, message.DeliveryCount);
        Assert.Equal(1, message.SequenceNumber);
        Assert.NotEqual(default, message.LockToken);
        Assert.InRange(message.LockedUntil, DateTimeOffset.UtcNow.AddSeconds(30), DateTimeOffset.UtcNow.AddMinutes(2));
        Assert.Equal(1, queue.LockedCount);

        await receiver.CompleteMessageAsync(message);
        Assert.Equal(0, queue.Count);
        Assert.True(_broker.TokensReceived >= 2, "every link is authorized with a CBS put-token first");
    }
}
