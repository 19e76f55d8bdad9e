using Azure.Messaging.ServiceBus;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.TestBroker;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CarClassifier.Worker.Tests.Messaging;

/// <summary>
/// A renewal pass over a large batch against the broker with a real namespace's $management latency (10-30 ms a round
/// trip): the renewals run concurrently, never more at once than the bound, and every lock is extended. Counts, not
/// times, are asserted; the pass's duration is only written to the test output.
/// </summary>
public sealed class ServiceBusLockRenewalTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BatchSize = 256;
    private readonly ManualTimeProvider _clock = new();
    private ServiceBusTestBroker _broker = null!;
    private ServiceBusClient _client = null!;

    public Task InitializeAsync()
    {
        _broker = new ServiceBusTestBroker(_clock);
        _broker.CreateQueue("q", new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(60) });
        _client = new ServiceBusClient(_broker.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        _broker.Dispose();
    }

    [Theory]
    [InlineData(16)]
    [InlineData(1)]
    public async Task RenewPass_Of256_WithLatency_RenewsEveryLock_AtMostTheBoundInFlight(int concurrency)
    {
        var (receiver, batch) = await ReceiveBatchAsync();
        await using var _ = receiver;
        _broker.Faults.ManagementLatency = TimeSpan.FromMilliseconds(20);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var renewed = await new ServiceBusLockRenewal(concurrency, NullLogger.Instance).RenewAsync(receiver, batch, CancellationToken.None);
        output.WriteLine($"renewal pass of {BatchSize} at concurrency {concurrency} with 20 ms latency: {watch.ElapsedMilliseconds} ms, peak {_broker.Faults.PeakConcurrentManagementRequests} in flight");

        Assert.Equal(BatchSize, renewed);
        Assert.All(batch, m => Assert.Equal(_clock.GetUtcNow().AddSeconds(60), m.LockedUntil, TimeSpan.FromMilliseconds(1)));
        Assert.InRange(_broker.Faults.PeakConcurrentManagementRequests, concurrency == 1 ? 1 : 2, concurrency);
    }

    [Fact]
    public async Task RenewPass_LockLostOnSome_RenewsTheRest_AndThrowsNothing()
    {
        var (receiver, batch) = await ReceiveBatchAsync();
        await using var _ = receiver;
        foreach (var message in batch.Take(10)) await receiver.CompleteMessageAsync(message);

        var renewed = await new ServiceBusLockRenewal(16, NullLogger.Instance).RenewAsync(receiver, batch, CancellationToken.None);

        Assert.Equal(BatchSize - 10, renewed);
    }

    private async Task<(ServiceBusReceiver Receiver, List<ServiceBusReceivedMessage> Batch)> ReceiveBatchAsync()
    {
        await using (var sender = _client.CreateSender("q"))
        {
            using var batch = await sender.CreateMessageBatchAsync();
            for (var i = 0; i < BatchSize; i++) Assert.True(batch.TryAddMessage(new ServiceBusMessage($"m{i}")));
            await sender.SendMessagesAsync(batch);
        }

        var receiver = _client.CreateReceiver("q");
        var received = new List<ServiceBusReceivedMessage>();
        while (received.Count < BatchSize) received.AddRange(await receiver.ReceiveMessagesAsync(BatchSize - received.Count, TimeSpan.FromSeconds(5)));
        return (receiver, received);
    }
}
