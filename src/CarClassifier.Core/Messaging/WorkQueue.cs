using Azure.Storage.Queues;

namespace CarClassifier.Core.Messaging;

/// <summary>Sends claim checks to the work queue.</summary>
public class WorkQueue
{
    private readonly QueueClient _queue;

    public WorkQueue(QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
    }

    /// <summary>For mocking frameworks only.</summary>
    protected WorkQueue()
    {
        _queue = null!;
    }

    public virtual async Task SendAsync(ClassifyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _queue.SendMessageAsync(request.ToJson(), cancellationToken).ConfigureAwait(false);
    }
}
