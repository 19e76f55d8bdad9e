using Azure.Storage.Queues.Models;
using CarClassifier.Core;
using CarClassifier.Core.Classification;
using Microsoft.Azure.Functions.Worker;

namespace CarClassifier.Functions.Triggers;

/// <summary>
/// Queue trigger on the work queue. The host hands over up to host.json's batchSize + newBatchThreshold
/// messages at once; each invocation submits its image to the shared batcher, which groups them into one ONNX Run.
/// </summary>
public sealed class ClassifyImages(ImageClassifier classifier)
{
    [Function(PipelineNames.ClassifyFunction)]
    public async Task RunAsync(
        [QueueTrigger(PipelineNames.WorkQueue, Connection = PipelineNames.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken)
    {
        await classifier.ClassifyAsync(message, cancellationToken).ConfigureAwait(false);
    }
}
