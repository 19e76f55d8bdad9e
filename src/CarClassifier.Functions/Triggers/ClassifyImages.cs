using Azure.Storage.Queues.Models;
using CarClassifier.Core;
using CarClassifier.Core.Classification;
using CarClassifier.Core.Messaging;
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
        ArgumentNullException.ThrowIfNull(message);
        var request = ClassifyRequest.Parse(message.Body.ToString());
        await classifier.ClassifyAsync(request, message.DequeueCount, cancellationToken).ConfigureAwait(false);
    }
}
