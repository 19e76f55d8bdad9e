using Azure.Messaging.ServiceBus;
using CarClassifier.TestBroker;

namespace CarClassifier.Worker.Tests.TestBroker;

/// <summary>
/// Where the test broker is as strict as the service, driven by the real Azure.Messaging.ServiceBus client: a test that
/// passed only because the broker was kinder than Azure would fail here. Each test names the document it copies. The
/// broker's clock is a <see cref="ManualTimeProvider"/>: locks run out when a test moves it, never on the wall clock.
/// </summary>
public sealed class ServiceBusTestBrokerStrictnessTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly ManualTimeProvider _clock = new();
    private readonly ServiceBusTestBroker _broker;
    private ServiceBusClient _client = null!;

    public ServiceBusTestBrokerStrictnessTests()
    {
        _broker = new ServiceBusTestBroker(_clock);
    }

    public Task InitializeAsync()
    {
        _client = NewClient(maxRetries: 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        _broker.Dispose();
    }

    /// <summary>
    /// The SDK's TROUBLESHOOTING.md ("Message lock lost": the lock is lost when the link is detached) and
    /// azure-sdk-for-net#28025 / #37676: after the receive link is gone renew-lock keeps succeeding over $management, but
    /// the message cannot be settled; it comes back when its lock runs out, one delivery further on.
    /// </summary>
    [Fact]
    public async Task Complete_AfterTheConnectionDropped_FailsWithLockLost_WhileRenewStillSucceeds_AndTheMessageReturns()
    {
        var queue = _broker.CreateQueue("q", new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(30) });
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("blip"));
        await using var receiver = _client.CreateReceiver("q");
        var message = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(message);

        _broker.DisconnectAll();

        await receiver.RenewMessageLockAsync(message);
        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(message));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
        Assert.Equal(1, queue.LockedCount);

        _clock.Advance(TimeSpan.FromSeconds(31));
        _broker.Tick();
        var again = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(again);
        Assert.Equal(2, again.DeliveryCount);
        await receiver.CompleteMessageAsync(again);
        Assert.Equal(0, queue.Count);
    }

    /// <summary>
    /// "AMQP errors in Azure Service Bus" (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-troubleshoot):
    /// a link idle for 10 minutes is force-detached. The SDK opens a new link for the next receive; what the old one
    /// locked can no longer be settled. The test idles 30 s (the service's 10 minutes would outlast any lock).
    /// </summary>
    [Fact]
    public async Task IdleLinkDetach_ClosesTheReceiveLink_ItsMessageCannotBeSettled_AndTheNextReceiveWorks()
    {
        var queue = _broker.CreateQueue("q", new BrokerQueueOptions { LockDuration = TimeSpan.FromMinutes(5) });
        _broker.Faults.IdleLinkTimeout = TimeSpan.FromSeconds(30);
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("held"));
        await using var receiver = _client.CreateReceiver("q");
        var held = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(held);

        _clock.Advance(TimeSpan.FromSeconds(30));
        _broker.Tick();

        Assert.Equal(2, _broker.Faults.IdleDetaches); // The send link and the receive link.
        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(held));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
        await sender.SendMessageAsync(new ServiceBusMessage("next"));
        var next = await receiver.ReceiveMessageAsync(Wait);
        Assert.Equal("next", next?.Body.ToString());
        await receiver.CompleteMessageAsync(next!);
        Assert.Equal(1, queue.Count); // "held" stays locked until its lock runs out.
    }

    /// <summary>
    /// "Message sequencing and timestamps" (https://learn.microsoft.com/azure/service-bus-messaging/message-sequencing):
    /// the sequence number is the message's identifier, assigned once; dead-lettering moves the message, it does not
    /// submit it again, so the dead letter keeps its number and its delivery count, and the sub-queue is not in sequence
    /// order when messages die out of order. Peek still walks it by sequence number ("Message browsing").
    /// DeadLetterSource is only set on messages auto-forwarded out of a dead-letter queue (its API reference).
    /// </summary>
    [Fact]
    public async Task DeadLetters_KeepSequenceNumberAndDeliveryCount_HaveNoSource_AndPeekInSequenceOrder()
    {
        _broker.CreateQueue("q", new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(10), MaxDeliveryCount = 1 });
        await using var sender = _client.CreateSender("q");
        await sender.SendMessagesAsync([new ServiceBusMessage("m1"), new ServiceBusMessage("m2"), new ServiceBusMessage("m3")]);
        await using var receiver = _client.CreateReceiver("q");
        var received = new List<ServiceBusReceivedMessage>();
        while (received.Count < 3) received.AddRange(await receiver.ReceiveMessagesAsync(3, Wait));

        // m3 dies first (explicitly), m1 and m2 later (their locks run out on their only delivery).
        await receiver.DeadLetterMessageAsync(received.Single(m => m.Body.ToString() == "m3"), "Explicit", "first to die");
        _clock.Advance(TimeSpan.FromSeconds(11));
        _broker.Tick();

        await using var deadLetters = _client.CreateReceiver("q", new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var peeked = await deadLetters.PeekMessagesAsync(10, fromSequenceNumber: 0);
        Assert.Equal(["m1", "m2", "m3"], peeked.Select(m => m.Body.ToString()));
        Assert.Equal(received.OrderBy(m => m.SequenceNumber).Select(m => m.SequenceNumber), peeked.Select(m => m.SequenceNumber));
        Assert.All(peeked, m => Assert.Equal(1, m.DeliveryCount));
        Assert.All(peeked, m => Assert.Null(m.DeadLetterSource));
        Assert.Equal(["MaxDeliveryCountExceeded", "MaxDeliveryCountExceeded", "Explicit"], peeked.Select(m => m.DeadLetterReason));

        // A cursor at "after the newest dead letter seen" would have skipped m1 and m2: they died after m3 but sort before it.
        var fromM3 = await deadLetters.PeekMessagesAsync(10, fromSequenceNumber: peeked[2].SequenceNumber);
        Assert.Equal("m3", Assert.Single(fromM3).Body.ToString());
    }

    /// <summary>"Dead-letter queues" (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues): no automatic cleanup, time-to-live does not apply there.</summary>
    [Fact]
    public async Task DeadLetters_DoNotExpire()
    {
        var queue = _broker.CreateQueue("q", new BrokerQueueOptions { DeadLetteringOnMessageExpiration = true });
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("short-lived") { TimeToLive = TimeSpan.FromMinutes(1) });

        _clock.Advance(TimeSpan.FromMinutes(2));
        _broker.Tick();
        _clock.Advance(TimeSpan.FromDays(30));
        _broker.Tick();

        Assert.Equal(0, queue.Count);
        var dead = Assert.Single(queue.DeadLetterQueue!.Snapshot());
        Assert.Equal("TTLExpiredException", dead.DeadLetterReason);
    }

    /// <summary>
    /// Scheduled messages and deferral ("Message sequencing and timestamps", "Message deferral") are not implemented by
    /// the broker: it refuses them with a clear error instead of delivering at once or treating defer as abandon.
    /// </summary>
    [Fact]
    public async Task ScheduleAndDefer_AreRefusedClearly_AndChangeNothing()
    {
        var queue = _broker.CreateQueue("q");
        await using var sender = _client.CreateSender("q");

        // The SDK raises the broker's 501 answer as NotSupportedException, with the broker's words.
        var scheduled = await Assert.ThrowsAsync<NotSupportedException>(() => sender.ScheduleMessageAsync(new ServiceBusMessage("later"), DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Contains("not supported by the test broker", scheduled.Message, StringComparison.Ordinal);
        var withTime = await Assert.ThrowsAnyAsync<Exception>(() => sender.SendMessageAsync(new ServiceBusMessage("later") { ScheduledEnqueueTime = DateTimeOffset.UtcNow.AddMinutes(5) }));
        Assert.Contains("not supported by the test broker", withTime.Message, StringComparison.Ordinal);
        Assert.IsNotType<TimeoutException>(withTime);
        Assert.Equal(0, queue.Count);

        await sender.SendMessageAsync(new ServiceBusMessage("now"));
        await using var receiver = _client.CreateReceiver("q");
        var message = await receiver.ReceiveMessageAsync(Wait);
        var deferred = await Assert.ThrowsAnyAsync<Exception>(() => receiver.DeferMessageAsync(message!));
        Assert.Contains("not supported by the test broker", deferred.Message, StringComparison.Ordinal);
        Assert.Equal(1, queue.LockedCount);
        await receiver.CompleteMessageAsync(message!); // Still held by this receiver: defer changed nothing.
        Assert.Equal(0, queue.Count);
    }

    /// <summary>
    /// "Throttling operations on Azure Service Bus" (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-throttling):
    /// a throttled request fails with com.microsoft:server-busy, which the SDK raises as ServiceBusy once its retries are
    /// spent; receives get nothing while it lasts.
    /// </summary>
    [Fact]
    public async Task ServerBusy_RefusesSendRenewAndReceive_WithServiceBusy_UntilSwitchedOff()
    {
        var queue = _broker.CreateQueue("q");
        await using var sender = _client.CreateSender("q");
        await sender.SendMessageAsync(new ServiceBusMessage("queued"));
        await using var receiver = _client.CreateReceiver("q");
        var message = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(message);
        await sender.SendMessageAsync(new ServiceBusMessage("waiting"));

        _broker.Faults.ServerBusy = true;
        await using var impatient = NewClient(maxRetries: 0); // Its own retry policy: the SDK's server-busy back-off is per policy.
        await using var impatientSender = impatient.CreateSender("q");
        var busy = await Assert.ThrowsAsync<ServiceBusException>(() => impatientSender.SendMessageAsync(new ServiceBusMessage("refused")));
        Assert.Equal(ServiceBusFailureReason.ServiceBusy, busy.Reason);
        await using var impatientReceiver = impatient.CreateReceiver("q");
        Assert.Empty(await impatientReceiver.ReceiveMessagesAsync(5, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(2, queue.Count);
        Assert.True(_broker.Faults.Throttled >= 1);

        _broker.Faults.ServerBusy = false;
        await receiver.RenewMessageLockAsync(message);
        await receiver.CompleteMessageAsync(message);
        var waiting = await receiver.ReceiveMessageAsync(Wait);
        Assert.Equal("waiting", waiting?.Body.ToString());
    }

    /// <summary>The SDK retries a throttled send after its server-busy back-off (TROUBLESHOOTING.md, "ServiceBusy") and it goes through.</summary>
    [Fact]
    public async Task Throttle_OneSend_TheSdkRetriesAndTheMessageArrivesOnce()
    {
        var queue = _broker.CreateQueue("q");
        await using var sender = _client.CreateSender("q");
        _broker.Faults.Throttle(1);

        await sender.SendMessageAsync(new ServiceBusMessage("retried"));

        Assert.Equal(1, _broker.Faults.Throttled);
        Assert.Equal(1, queue.Count);
    }

    private ServiceBusClient NewClient(int maxRetries) => new(_broker.ConnectionString, new ServiceBusClientOptions
    {
        RetryOptions = new ServiceBusRetryOptions { MaxRetries = maxRetries, TryTimeout = TimeSpan.FromSeconds(10), Delay = TimeSpan.FromMilliseconds(100) },
    });
}
