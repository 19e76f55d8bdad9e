using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Ingest;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Messaging;

/// <summary>
/// Reads, replays and purges the poison queues: <see cref="PipelineNames.PoisonQueue"/> (classify messages that failed
/// maxDequeueCount times) and the blob-trigger poison queues the host names in <see cref="PoisonQueueOptions"/> (blobs
/// whose ingest failed on every try; the CLI and local host name the WebJobs blob extension's). Replay and purge hide
/// each message briefly while they read (queues cannot be paged by peeking) and make the rest visible again at once;
/// replay sends the work on again and deletes the poison copy only after that succeeded.
/// </summary>
public sealed class PoisonQueues
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(60);

    private readonly QueueClient _classifyPoison;
    private readonly QueueClient[] _queues;
    private readonly WorkQueue _work;
    private readonly ImageIngestor _ingestor;
    private readonly BlobServiceClient _blobs;
    private readonly TimeProvider _time;

    private readonly ServiceBus.ServiceBusDeadLetterQueue? _deadLetters;

    /// <param name="deadLetters">On the Service Bus transport: the work queue's dead letters, listed and replayed with the storage poison queues.</param>
    public PoisonQueues(
        StorageClientFactory storage,
        WorkQueue work,
        ImageIngestor ingestor,
        BlobServiceClient blobs,
        TimeProvider time,
        IOptions<PoisonQueueOptions> options,
        ServiceBus.ServiceBusDeadLetterQueue? deadLetters = null)
    {
        _deadLetters = deadLetters;
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(ingestor);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _classifyPoison = storage.CreateQueueClient(PipelineNames.PoisonQueue);

        // The blob extension writes its own messages; read them raw and decode whichever encoding it used.
        _queues =
        [
            _classifyPoison,
            .. options.Value.BlobTriggerPoisonQueues.Distinct(StringComparer.Ordinal).Select(name => storage.CreateQueueClient(name, QueueMessageEncoding.None)),
        ];
        _work = work;
        _ingestor = ingestor;
        _blobs = blobs;
        _time = time;
    }

    /// <summary>How deep a storage queue can be peeked: Peek Messages returns at most 32 (Queue service REST reference).</summary>
    public const int PeekLimit = 32;

    /// <summary>
    /// The messages in every poison queue, peeked: left in place and visible, their dequeue count unchanged (receiving
    /// them would count as a delivery and hide them from a concurrent replay). A storage queue can only be peeked
    /// <see cref="PeekLimit"/> deep, so at most that many per queue.
    /// </summary>
    public async Task<IReadOnlyList<PoisonMessage>> ListAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<PoisonMessage>();
        foreach (var queue in _queues)
        {
            try
            {
                PeekedMessage[] peeked = await queue.PeekMessagesAsync(PeekLimit, cancellationToken).ConfigureAwait(false);
                all.AddRange(peeked.Select(m => Describe(queue, m.MessageId, m.DequeueCount, m.InsertedOn, m.Body)));
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The queue does not exist: nothing was ever poisoned there.
            }
        }

        if (_deadLetters is not null) all.AddRange(await _deadLetters.ListAsync(cancellationToken).ConfigureAwait(false));
        return all;
    }

    /// <summary>
    /// Re-submits the messages <paramref name="select"/> accepts: classify requests go back on the work queue (with a
    /// fresh enqueue time), blob-trigger failures are ingested again. Returns the messages replayed.
    /// </summary>
    public async Task<IReadOnlyList<PoisonMessage>> ReplayAsync(Func<PoisonMessage, bool> select, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(select);
        var replayed = new List<PoisonMessage>();
        foreach (var queue in _queues)
        {
            var held = await ReceiveAllAsync(queue, cancellationToken).ConfigureAwait(false);
            var keep = new List<QueueMessage>();
            foreach (var message in held)
            {
                var described = Describe(queue, message);
                if (!select(described) || !await ResubmitAsync(queue, message, cancellationToken).ConfigureAwait(false))
                {
                    keep.Add(message);
                    continue;
                }

                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                replayed.Add(described);
            }

            await ReleaseAsync(queue, keep, cancellationToken).ConfigureAwait(false);
        }

        if (_deadLetters is not null) replayed.AddRange(await _deadLetters.ReplayAsync(select, cancellationToken).ConfigureAwait(false));
        return replayed;
    }

    /// <summary>
    /// Deletes the messages <paramref name="select"/> accepts from every storage poison queue, for good (their blobs and
    /// rows stay). Returns the messages deleted. Service Bus dead letters are not purged here.
    /// </summary>
    public async Task<IReadOnlyList<PoisonMessage>> PurgeAsync(Func<PoisonMessage, bool> select, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(select);
        var purged = new List<PoisonMessage>();
        foreach (var queue in _queues)
        {
            var held = await ReceiveAllAsync(queue, cancellationToken).ConfigureAwait(false);
            var keep = new List<QueueMessage>();
            foreach (var message in held)
            {
                var described = Describe(queue, message);
                if (!select(described))
                {
                    keep.Add(message);
                    continue;
                }

                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                purged.Add(described);
            }

            await ReleaseAsync(queue, keep, cancellationToken).ConfigureAwait(false);
        }

        return purged;
    }

    private async Task<bool> ResubmitAsync(QueueClient queue, QueueMessage message, CancellationToken cancellationToken)
    {
        if (queue == _classifyPoison)
        {
            ClassifyRequest request;
            try
            {
                request = ClassifyRequest.Parse(message.Body.ToString());
            }
            catch (InvalidDataException)
            {
                return false; // Not ours: replaying it would only poison it again.
            }

            await _work.SendAsync(request with { EnqueuedAt = _time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (!TryReadBlobTrigger(DecodeText(message), out var container, out var blobName)) return false;
        try
        {
            var properties = await _blobs.GetBlobContainerClient(container).GetBlobClient(blobName)
                .GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await _ingestor.IngestAsync(container, blobName, properties.Value.ETag.ToString(), properties.Value.ContentLength, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The blob is gone: nothing to replay, and nothing will ever succeed. Drop the poison copy.
            return true;
        }
    }

    private static async Task<List<QueueMessage>> ReceiveAllAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        var held = new List<QueueMessage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                QueueMessage[] batch = await queue.ReceiveMessagesAsync(32, Hold, cancellationToken).ConfigureAwait(false);
                if (batch.Length == 0) break;
                foreach (var message in batch)
                {
                    if (seen.Add(message.MessageId)) held.Add(message);
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The queue does not exist: nothing was ever poisoned there.
        }

        return held;
    }

    private static async Task ReleaseAsync(QueueClient queue, IEnumerable<QueueMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private PoisonMessage Describe(QueueClient queue, QueueMessage message) =>
        Describe(queue, message.MessageId, message.DequeueCount, message.InsertedOn, message.Body);

    private PoisonMessage Describe(QueueClient queue, string messageId, long dequeueCount, DateTimeOffset? insertedOn, BinaryData messageBody)
    {
        string body;
        string? path = null;
        if (queue == _classifyPoison)
        {
            body = messageBody.ToString();
            try
            {
                var request = ClassifyRequest.Parse(body);
                path = ResultKeys.BlobPath(request.Container, request.BlobName);
            }
            catch (InvalidDataException)
            {
                // Shown as is.
            }
        }
        else
        {
            body = DecodeText(messageBody);
            if (TryReadBlobTrigger(body, out var container, out var blobName)) path = ResultKeys.BlobPath(container, blobName);
        }

        return new PoisonMessage(queue.Name, messageId, dequeueCount, insertedOn, path, body);
    }

    /// <summary>The blob trigger's message text, whether the extension Base64-encoded it or not.</summary>
    private static string DecodeText(QueueMessage message) => DecodeText(message.Body);

    private static string DecodeText(BinaryData body)
    {
        var text = body.ToString();
        if (text.TrimStart().StartsWith('{')) return text;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            return text;
        }
    }

    /// <summary>Reads <c>{"Type":"BlobTrigger","ContainerName":...,"BlobName":...}</c>, names matched case-insensitively.</summary>
    internal static bool TryReadBlobTrigger(string text, out string container, out string blobName)
    {
        container = blobName = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(text);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String) continue;
                if (property.Name.Equals("ContainerName", StringComparison.OrdinalIgnoreCase)) container = property.Value.GetString()!;
                if (property.Name.Equals("BlobName", StringComparison.OrdinalIgnoreCase)) blobName = property.Value.GetString()!;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return container.Length > 0 && blobName.Length > 0;
    }
}
