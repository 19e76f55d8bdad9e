using Azure.Messaging.ServiceBus;
using CarClassifier.Core.Results;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// <c>carclass poison list/replay</c> on the Service Bus transport: lists the work queue's $DeadLetterQueue by peeking
/// (nothing is locked or counted), and replays by receiving each chosen message, sending its claim check to the queue
/// again (fresh enqueue time, a MessageId of its own so duplicate detection lets it through) and completing the dead
/// letter only after that send succeeded.
/// </summary>
public sealed class ServiceBusDeadLetterQueue
{
    private readonly ServiceBusClient _client;
    private readonly TimeProvider _time;

    public ServiceBusDeadLetterQueue(ServiceBusClient client, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _time = time;
    }

    public async Task<IReadOnlyList<PoisonMessage>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var receiver = _client.CreateReceiver(PipelineNames.WorkQueue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var all = new List<PoisonMessage>();
        long next = 0;
        while (true)
        {
            var page = await receiver.PeekMessagesAsync(100, next, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) return all;
            all.AddRange(page.Select(Describe));
            next = page[^1].SequenceNumber + 1;
        }
    }

    public async Task<IReadOnlyList<PoisonMessage>> ReplayAsync(Func<PoisonMessage, bool> select, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(select);
        var replayed = new List<PoisonMessage>();
        await using var receiver = _client.CreateReceiver(PipelineNames.WorkQueue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        await using var sender = _client.CreateSender(PipelineNames.WorkQueue);
        var held = new List<ServiceBusReceivedMessage>();
        try
        {
            while (true)
            {
                var batch = await receiver.ReceiveMessagesAsync(100, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0) break;
                held.AddRange(batch);
            }

            foreach (var message in held.ToList())
            {
                var described = Describe(message);
                if (!select(described)) continue;
                ClassifyRequest request;
                try
                {
                    request = ClassifyRequest.Parse(message.Body.ToString());
                }
                catch (InvalidDataException)
                {
                    continue; // Not ours: replaying it would only dead-letter it again.
                }

                var resent = ClassifyMessages.ToMessage(request with { EnqueuedAt = _time.GetUtcNow() });
                resent.MessageId = $"{resent.MessageId[..Math.Min(resent.MessageId.Length, 100)]}-replay-{message.SequenceNumber}";
                await sender.SendMessageAsync(resent, cancellationToken).ConfigureAwait(false);
                await receiver.CompleteMessageAsync(message, cancellationToken).ConfigureAwait(false);
                held.Remove(message);
                replayed.Add(described);
            }
        }
        finally
        {
            // What was not replayed goes back at once instead of staying locked for the lock duration.
            foreach (var message in held)
            {
                try
                {
                    await receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (ServiceBusException)
                {
                    // Its lock runs out on its own.
                }
            }
        }

        return replayed;
    }

    private static PoisonMessage Describe(ServiceBusReceivedMessage message)
    {
        var body = message.Body.ToString();
        string? path = null;
        try
        {
            var request = ClassifyRequest.Parse(body);
            path = ResultKeys.BlobPath(request.Container, request.BlobName);
        }
        catch (InvalidDataException)
        {
            // Shown as is.
        }

        // The sequence number is the id `poison replay --id` takes: unique in the queue, unlike a replayed MessageId.
        return new PoisonMessage(
            PipelineNames.ServiceBusDeadLetterQueue,
            message.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
            message.DeliveryCount,
            message.EnqueuedTime,
            path,
            body,
            Reason(message));
    }

    /// <summary>"reason: description" as the dead-lettering side set them (<see cref="ServiceBusBatchSettler"/>, or the service's own MaxDeliveryCountExceeded).</summary>
    private static string? Reason(ServiceBusReceivedMessage message)
    {
        var reason = message.DeadLetterReason;
        var description = message.DeadLetterErrorDescription;
        if (string.IsNullOrWhiteSpace(reason)) return string.IsNullOrWhiteSpace(description) ? null : description;
        return string.IsNullOrWhiteSpace(description) ? reason : $"{reason}: {description}";
    }
}
