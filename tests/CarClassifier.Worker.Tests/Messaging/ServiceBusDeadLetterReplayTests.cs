using Azure.Messaging.ServiceBus;
using CarClassifier.Core;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.TestBroker;

namespace CarClassifier.Worker.Tests.Messaging;

/// <summary>
/// <c>poison replay</c> on Service Bus over more than one page of dead letters, against the strict broker: the chosen
/// ones are re-sent and completed as it goes (none left behind, none sent twice), the others go back unlocked.
/// </summary>
public sealed class ServiceBusDeadLetterReplayTests : IAsyncLifetime
{
    private const int DeadLetters = 250; // Three receive pages of 100.
    private readonly ManualTimeProvider _clock = new();
    private ServiceBusTestBroker _broker = null!;
    private BrokerQueue _queue = null!;
    private ServiceBusClient _client = null!;

    public async Task InitializeAsync()
    {
        _broker = new ServiceBusTestBroker(_clock);
        _queue = _broker.CreateQueue(PipelineNames.WorkQueue, new BrokerQueueOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        _client = new ServiceBusClient(_broker.ConnectionString);
        await using var sender = _client.CreateSender(PipelineNames.WorkQueue);
        for (var start = 0; start < DeadLetters; start += 50)
        {
            await sender.SendMessagesAsync(Enumerable.Range(start, 50).Select(i => ClassifyMessages.ToMessage(new ClassifyRequest
            {
                Container = "images",
                BlobName = $"dead/{i:D3}.jpg",
                CorrelationId = $"c-{i}",
            })));
        }

        await using var receiver = _client.CreateReceiver(PipelineNames.WorkQueue);
        var received = 0;
        while (received < DeadLetters)
        {
            foreach (var message in await receiver.ReceiveMessagesAsync(DeadLetters, TimeSpan.FromSeconds(5)))
            {
                await receiver.DeadLetterMessageAsync(message, "ClassifyFailed", "test");
                received++;
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        _broker.Dispose();
    }

    [Fact]
    public async Task Replay_EveryOtherDeadLetter_AcrossPages_ResendsEachOnce_CompletesThem_AndReleasesTheRest()
    {
        var deadLetters = new ServiceBusDeadLetterQueue(_client, _clock);
        var listed = await deadLetters.ListAsync();
        Assert.Equal(DeadLetters, listed.Count);
        var chosen = listed.Where((_, i) => i % 2 == 0).Select(m => m.MessageId).ToHashSet(StringComparer.Ordinal);

        var replayed = await deadLetters.ReplayAsync(m => chosen.Contains(m.MessageId));

        Assert.Equal(chosen.Order(StringComparer.Ordinal), replayed.Select(m => m.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal(chosen.Count, _queue.Count);
        Assert.Equal(chosen.Count, _queue.Snapshot().Select(m => m.MessageId).Distinct(StringComparer.Ordinal).Count());
        var left = _queue.DeadLetterQueue!;
        Assert.Equal(DeadLetters - chosen.Count, left.Count);
        Assert.Equal(0, left.LockedCount); // The ones not chosen were held while paging and handed back at the end.
        Assert.Equal(
            listed.Select(m => m.MessageId).Except(chosen).Order(StringComparer.Ordinal),
            (await deadLetters.ListAsync()).Select(m => m.MessageId).Order(StringComparer.Ordinal));
    }
}
