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
    private readonly ManualTimeProvider _clock = new();
    private readonly ServiceBusTestBroker _broker;
    private ServiceBusClient _client = null!;

    public ServiceBusTestBrokerTests()
    {
        _broker = new ServiceBusTestBroker(_clock);
    }

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
        Assert.Equal(_clock.GetUtcNow().AddMinutes(1), message.LockedUntil, TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.LockedCount);

        await receiver.CompleteMessageAsync(message);
        Assert.Equal(0, queue.Count);
        Assert.True(_broker.TokensReceived >= 2, "every link is authorized with a CBS put-token first");
    }

    [Fact]
    public async Task SendMessages_SdkBatch_IsSplitIntoMessagesReceivedInOneBatch()
    {
        _broker.CreateQueue("q");
        await using var sender = _client.CreateSender("q");
        using var batch = await sender.CreateMessageBatchAsync();
        for (var i = 0; i < 50; i++) Assert.True(batch.TryAddMessage(new ServiceBusMessage($"m{i}") { MessageId = $"id-{i}" }));
        await sender.SendMessagesAsync(batch);

        await using var receiver = _client.CreateReceiver("q");
        var received = new List<ServiceBusReceivedMessage>();
        while (received.Count < 50)
        {
            var some = await receiver.ReceiveMessagesAsync(50, Wait);
            Assert.NotEmpty(some);
            received.AddRange(some);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"), received.Select(m => m.Body.ToString()));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), received.Select(m => m.SequenceNumber));
        Assert.Equal(50, received.Select(m => m.LockToken).Distinct().Count());
    }

    [Fact]
    public async Task Abandon_UntilMaxDeliveryCount_MovesToDeadLetterQueueWithServiceReason()
    {
        var queue = _broker.CreateQueue("q", new BrokerQueueOptions { MaxDeliveryCount = 3 });
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("poison") { MessageId = "p" });
        await using var receiver = _client.CreateReceiver("q");

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var message = await receiver.ReceiveMessageAsync(Wait);
            Assert.NotNull(message);
            Assert.Equal(attempt, message.DeliveryCount);
            await receiver.AbandonMessageAsync(message);
        }

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
        await using var deadLetters = _client.CreateReceiver("q", new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(Wait);
        Assert.NotNull(dead);
        Assert.Equal("poison", dead.Body.ToString());
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
        Assert.Contains("3 delivery attempts", dead.DeadLetterErrorDescription, StringComparison.Ordinal);
        // Set only on messages auto-forwarded out of a dead-letter queue (ServiceBusReceivedMessage.DeadLetterSource,
        // https://learn.microsoft.com/dotnet/api/azure.messaging.servicebus.servicebusreceivedmessage.deadlettersource).
        Assert.Null(dead.DeadLetterSource);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task DeadLetter_WithReasonAndDescription_KeepsBoth()
    {
        _broker.CreateQueue("q");
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("x"));
        await using var receiver = _client.CreateReceiver("q");
        var message = await receiver.ReceiveMessageAsync(Wait);

        await receiver.DeadLetterMessageAsync(message!, "NotAnImage", "The blob is a PDF.");

        await using var deadLetters = _client.CreateReceiver("q", new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var peeked = await deadLetters.PeekMessageAsync();
        Assert.NotNull(peeked);
        Assert.Equal("NotAnImage", peeked.DeadLetterReason);
        Assert.Equal("The blob is a PDF.", peeked.DeadLetterErrorDescription);
        Assert.Equal("x", peeked.Body.ToString());
    }

    [Fact]
    public async Task LockExpiry_RedeliversWithHigherDeliveryCount_AndOldLockCannotComplete()
    {
        _broker.CreateQueue("q", new BrokerQueueOptions { LockDuration = TimeSpan.FromMilliseconds(500) });
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("slow"));
        await using var receiver = _client.CreateReceiver("q");
        var first = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(first);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(second);
        Assert.Equal(2, second.DeliveryCount);
        Assert.NotEqual(first.LockToken, second.LockToken);
        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(first));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
        await receiver.CompleteMessageAsync(second);
    }

    [Fact]
    public async Task RenewMessageLock_ExtendsLockPastItsDuration()
    {
        var queue = _broker.CreateQueue("q", new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(2) });
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("long job"));
        await using var receiver = _client.CreateReceiver("q");
        var message = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(message);

        var until = message.LockedUntil;
        for (var i = 0; i < 8; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            _broker.Tick();
            await receiver.RenewMessageLockAsync(message);
            Assert.True(message.LockedUntil > until, "renew-lock returns a later expiry");
            until = message.LockedUntil;
        }

        Assert.Equal(1, queue.Deliveries); // 4 s held on a 2 s lock, never redelivered
        await receiver.CompleteMessageAsync(message);
    }

    [Fact]
    public async Task DuplicateDetection_SameMessageIdInsideWindow_IsDroppedSilently()
    {
        var queue = _broker.CreateQueue("q", new BrokerQueueOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("a") { MessageId = "same" });
        await sender.SendMessageAsync(new ServiceBusMessage("b") { MessageId = "same" });
        await sender.SendMessageAsync(new ServiceBusMessage("c") { MessageId = "other" });

        Assert.Equal(2, queue.Count);
        Assert.Equal(1, queue.DuplicatesDropped);
    }

    [Fact]
    public async Task ReceiveMessages_EmptyQueueThenSend_LaterReceiveGetsItAsFirstDelivery()
    {
        var queue = _broker.CreateQueue("q");
        await using var receiver = _client.CreateReceiver("q");
        Assert.Empty(await receiver.ReceiveMessagesAsync(10, TimeSpan.FromMilliseconds(300)));

        // The SDK leaves the unused credit on the link and releases what arrives with no receive call waiting;
        // released deliveries do not count, so the message is neither dead-lettered nor marked as redelivered.
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("later"));
        var later = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(later);
        Assert.Equal("later", later.Body.ToString());
        Assert.Equal(1, later.DeliveryCount);
        Assert.Equal(0, queue.DeadLetterQueue!.Count);
    }

    [Fact]
    public async Task CreateReceiver_UnknownQueue_FailsWithEntityNotFound()
    {
        await using var receiver = _client.CreateReceiver("missing");
        var error = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.ReceiveMessageAsync(Wait));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, error.Reason);
    }
}
