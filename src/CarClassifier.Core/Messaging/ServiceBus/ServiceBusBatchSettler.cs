using Azure.Messaging.ServiceBus;
using CarClassifier.Core.Classification;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// What happens to one received claim check. Its row is written first (Succeeded, or Failed for a file that cannot be
/// classified) and then the message is completed; a failure that may pass (storage, model) abandons it, so Service Bus
/// delivers it again and counts the delivery; on the queue's last delivery the message is dead-lettered with the
/// failure in words instead, and <see cref="DeadLetterRecorder"/> gives its blob the Poisoned row. A message that is
/// not a classify request is dead-lettered at once: retrying cannot fix it.
/// </summary>
internal sealed class ServiceBusBatchSettler
{
    /// <summary>Dead-letter reason for a claim check whose deliveries all failed.</summary>
    public const string ClassifyFailedReason = "ClassifyFailed";

    /// <summary>Dead-letter reason for a body that is not a <see cref="ClassifyRequest"/>.</summary>
    public const string NotAClassifyRequestReason = "NotAClassifyRequest";

    private const int MaxDescriptionLength = 4096; // Service Bus's limit on the dead-letter reason and description.

    private readonly ImageClassifier _classifier;
    private readonly ServiceBusOptions _options;
    private readonly ILogger _logger;

    public ServiceBusBatchSettler(ImageClassifier classifier, ServiceBusOptions options, ILogger logger)
    {
        _classifier = classifier;
        _options = options;
        _logger = logger;
    }

    public async Task HandleAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, CancellationToken cancellationToken)
    {
        ClassifyRequest request;
        try
        {
            request = ClassifyRequest.Parse(message.Body.ToString());
        }
        catch (InvalidDataException ex)
        {
            _logger.LogWarning("Message {MessageId} is not a classify request; dead-lettered: {Reason}", message.MessageId, ex.Message);
            await SettleAsync(() => receiver.DeadLetterMessageAsync(message, NotAClassifyRequestReason, Truncate(ex.Message), CancellationToken.None), message).ConfigureAwait(false);
            return;
        }

        try
        {
            // The delivery-aware call: on the last delivery the blob gets a Poisoned row before the message is dead-lettered.
            await _classifier.ClassifyDeliveryAsync(request, message.DeliveryCount, _options.MaxDeliveryCount, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: hand it back now rather than leave it locked until the lock runs out.
            await SettleAsync(() => receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None), message).ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            var reason = ex.Message.Split('\n')[0].Trim();
            if (message.DeliveryCount >= _options.MaxDeliveryCount)
            {
                _logger.LogError(
                    "Classify {Container}/{BlobName} failed on its last delivery ({DeliveryCount} of {Max}); dead-lettered: {Reason}",
                    request.Container, request.BlobName, message.DeliveryCount, _options.MaxDeliveryCount, reason);
                // Same words as the classifier's own Poisoned row: this text becomes the row when that write could not happen.
                var description = $"Gave up after {message.DeliveryCount} deliveries; the last one failed: {RetryableFailure.Describe(ex)}";
                await SettleAsync(() => receiver.DeadLetterMessageAsync(message, ClassifyFailedReason, Truncate(description), CancellationToken.None), message).ConfigureAwait(false);
            }
            else
            {
                _logger.LogWarning(
                    "Classify {Container}/{BlobName} failed on delivery {DeliveryCount} of {Max}; abandoned for a retry: {Reason}",
                    request.Container, request.BlobName, message.DeliveryCount, _options.MaxDeliveryCount, reason);
                await SettleAsync(() => receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None), message).ConfigureAwait(false);
            }

            return;
        }

        await SettleAsync(() => receiver.CompleteMessageAsync(message, CancellationToken.None), message).ConfigureAwait(false);
    }

    /// <summary>Hands a message back (the batch gave up on it); a failure is logged as every settle's is.</summary>
    public Task AbandonAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message) =>
        SettleAsync(() => receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None), message);

    /// <summary>
    /// A settle that fails (lock lost, connection gone) is logged, not thrown: the message comes back when its lock runs
    /// out and its row is upserted again, so the blob still ends with one row.
    /// </summary>
    private async Task SettleAsync(Func<Task> settle, ServiceBusReceivedMessage message)
    {
        try
        {
            await settle().ConfigureAwait(false);
        }
        catch (ServiceBusException ex)
        {
            _logger.LogWarning("Could not settle message {MessageId} ({Reason}); it will be delivered again", message.MessageId, ex.Reason);
        }
        catch (ObjectDisposedException)
        {
            _logger.LogWarning("Could not settle message {MessageId}: the receiver closed; it will be delivered again", message.MessageId);
        }
    }

    private static string Truncate(string text) => text.Length <= MaxDescriptionLength ? text : text[..MaxDescriptionLength];
}
