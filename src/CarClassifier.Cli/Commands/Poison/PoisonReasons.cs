using CarClassifier.Cli.LocalHost;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>
/// Why each poison message failed: the classifier writes a Failed row (kind and reason) for the blob on the message's
/// last delivery, so the reason is read from the results table, where it is stored once, next to the row users already see.
/// </summary>
internal static class PoisonReasons
{
    public static async Task<IReadOnlyList<PoisonListing>> DescribeAsync(ResultStore results, IReadOnlyList<PoisonMessage> messages, CancellationToken cancellationToken)
    {
        var listings = new List<PoisonListing>(messages.Count);
        foreach (var message in messages)
        {
            listings.Add(new PoisonListing(message, await ReasonAsync(results, message, cancellationToken).ConfigureAwait(false)));
        }

        return listings;
    }

    private static async Task<string> ReasonAsync(ResultStore results, PoisonMessage message, CancellationToken cancellationToken)
    {
        // A Service Bus dead letter carries its own reason (the worker's, or the service's MaxDeliveryCountExceeded).
        if (message.Reason is not null) return message.Reason;
        if (message.BlobPath is null) return "The message body is not a classify request or blob-trigger message (nothing to replay).";
        var row = await results.GetAsync(message.BlobPath, cancellationToken).ConfigureAwait(false);
        return row switch
        {
            { Status: nameof(ClassificationStatus.Failed) } => $"{row.ErrorKind}: {row.Error}",
            { Status: nameof(ClassificationStatus.Succeeded) } => "Classified since (a later delivery or replay succeeded): purge it.",
            _ when message.Queue == BlobTriggerPoisonQueue.Name => "The ingest trigger failed on every try and wrote no row; see the host log.",
            _ => "Failed on every delivery and no row could be written (is the results table reachable?); see the host log.",
        };
    }
}

/// <summary>One poison message and why it failed, as <c>poison list</c> shows it.</summary>
internal sealed record PoisonListing(PoisonMessage Message, string Reason);
