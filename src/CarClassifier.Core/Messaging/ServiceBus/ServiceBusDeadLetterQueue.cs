using Azure.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Logging.Abstractions;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// <c>carclass poison list/replay</c> on the Service Bus transport: lists the work queue's $DeadLetterQueue by peeking
/// (nothing is locked or counted), and replays in pages: it picks the dead letters to replay from a peek, then receives a
/// page at a time, sends each chosen claim check to the queue again (fresh enqueue time, a MessageId of its own so
/// duplicate detection lets it through) and completes its dead letter as soon as that send succeeded, so no lock waits
/// on the rest of the backlog. Dead letters it was not asked for are held (so the next receive moves past them), their
/// locks renewed while the replay runs, and abandoned at the end.
/// </summary>
public sealed class ServiceBusDeadLetterQueue
{
    private const int PageSize = 100;

    private readonly ServiceBusClient _client;
    private readonly TimeProvider _time;

    public ServiceBusDeadLetterQueue(ServiceBusClient client, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _time = time;
    }

    public async Task<IReadOnlyList<PoisonMessage>> ListAsync(CancellationToken cancellationToken = default) =>
        (await PeekAllAsync(cancellationToken).ConfigureAwait(false)).Select(Describe).ToList();

    public async Task<IReadOnlyList<PoisonMessage>> ReplayAsync(Func<PoisonMessage, bool> select, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(select);
        var wanted = new HashSet<long>();
        foreach (var message in await PeekAllAsync(cancellationToken).ConfigureAwait(false))
        {
            // Not ours (no blob named): replaying it would only dead-letter it again.
            if (TryParse(message) is not null && select(Describe(message))) wanted.Add(message.SequenceNumber);
        }

        var replayed = new List<PoisonMessage>();
        if (wanted.Count == 0) return replayed;
        await using var receiver = _client.CreateReceiver(PipelineNames.WorkQueue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        await using var sender = _client.CreateSender(PipelineNames.WorkQueue);
        var renewal = new ServiceBusLockRenewal(16, NullLogger.Instance);
        var held = new List<(ServiceBusReceivedMessage Message, TimeSpan Lock)>();
        try
        {
            while (wanted.Count > 0)
            {
                var page = await receiver.ReceiveMessagesAsync(PageSize, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                if (page.Count == 0) break; // The rest were replayed or removed by someone else meanwhile.
                var now = _time.GetUtcNow();
                foreach (var message in page)
                {
                    if (!wanted.Remove(message.SequenceNumber))
                    {
                        held.Add((message, message.LockedUntil - now));
                        continue;
                    }

                    var request = TryParse(message)!;
                    var resent = ClassifyMessages.ToMessage(request with { EnqueuedAt = now });
                    resent.MessageId = $"{resent.MessageId[..Math.Min(resent.MessageId.Length, 100)]}-replay-{message.SequenceNumber}";
                    await sender.SendMessageAsync(resent, cancellationToken).ConfigureAwait(false);
                    await receiver.CompleteMessageAsync(message, cancellationToken).ConfigureAwait(false);
                    replayed.Add(Describe(message));
                }

                // Held dead letters past half their lock are renewed, so a long replay does not lose them to a lock expiry
                // (which would count a delivery and hand them to the next receive call).
                var due = held.Where(h => h.Message.LockedUntil - _time.GetUtcNow() < h.Lock / 2).Select(h => h.Message).ToList();
                if (due.Count > 0) await renewal.RenewAsync(receiver, due, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // What was not replayed goes back at once instead of staying locked for the lock duration.
            foreach (var (message, _) in held)
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

    private async Task<List<ServiceBusReceivedMessage>> PeekAllAsync(CancellationToken cancellationToken)
    {
        await using var receiver = _client.CreateReceiver(PipelineNames.WorkQueue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var all = new List<ServiceBusReceivedMessage>();
        long next = 0;
        while (true)
        {
            var page = await receiver.PeekMessagesAsync(PageSize, next, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) return all;
            all.AddRange(page);
            next = page[^1].SequenceNumber + 1;
        }
    }

    private static ClassifyRequest? TryParse(ServiceBusReceivedMessage message)
    {
        try
        {
            return ClassifyRequest.Parse(message.Body.ToString());
        }
        catch (InvalidDataException)
        {
            return null;
        }
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
