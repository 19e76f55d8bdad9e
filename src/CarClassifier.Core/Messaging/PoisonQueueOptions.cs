namespace CarClassifier.Core.Messaging;

/// <summary>
/// The poison queues <see cref="PoisonQueues"/> reads besides the pipeline's own <see cref="PipelineNames.PoisonQueue"/>.
/// Set in code by each host's composition root, not bound from configuration: which queues a trigger extension writes
/// is the host's knowledge (the WebJobs blob extension's fixed queue name), not the pipeline's.
/// </summary>
public sealed class PoisonQueueOptions
{
    /// <summary>
    /// Raw queues a blob trigger moves a blob's message to after its last failed try: JSON naming the blob by
    /// <c>ContainerName</c> and <c>BlobName</c>, Base64-encoded or not. Replaying one ingests that blob again.
    /// </summary>
    public IList<string> BlobTriggerPoisonQueues { get; } = [];
}
