using Azure.Messaging.ServiceBus;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// How many claim checks wait on the work queue and its dead-letter queue, for <c>carclass watch</c>. Counted by peeking
/// (nothing is locked, no delivery is counted) because the message counts of the administration API need the Manage
/// right, and the classifier's identity has Data Receiver only. Peek browses locked messages too, so a batch in flight
/// still counts as waiting until it is completed. Counting stops at <see cref="Limit"/> so a deep backlog costs at most
/// a few requests per poll.
/// </summary>
public sealed class ServiceBusQueueDepth
{
    /// <summary>The most messages one count browses; a count that reaches it reads "at least".</summary>
    public const int Limit = 2000;

    private const int PageSize = 250;

    private readonly ServiceBusClient _client;

    public ServiceBusQueueDepth(ServiceBusClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>The work queue's messages (available and locked) and its dead letters, each at most <see cref="Limit"/>.</summary>
    public async Task<(int Waiting, int DeadLettered)> CountAsync(CancellationToken cancellationToken = default)
    {
        var waiting = await CountAsync(SubQueue.None, cancellationToken).ConfigureAwait(false);
        var deadLettered = await CountAsync(SubQueue.DeadLetter, cancellationToken).ConfigureAwait(false);
        return (waiting, deadLettered);
    }

    private async Task<int> CountAsync(SubQueue subQueue, CancellationToken cancellationToken)
    {
        await using var receiver = _client.CreateReceiver(PipelineNames.WorkQueue, new ServiceBusReceiverOptions { SubQueue = subQueue });
        var count = 0;
        long next = 0;
        while (count < Limit)
        {
            var page = await receiver.PeekMessagesAsync(Math.Min(PageSize, Limit - count), next, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) break;
            count += page.Count;
            next = page[^1].SequenceNumber + 1;
        }

        return count;
    }
}
