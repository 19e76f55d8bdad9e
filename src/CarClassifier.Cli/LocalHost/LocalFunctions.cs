using Azure.Storage.Blobs;
using Azure.Storage.Queues.Models;
using CarClassifier.Core;
using CarClassifier.Core.Classification;
using CarClassifier.Core.Ingest;
using CarClassifier.Core.Messaging;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// The Functions app's two triggers on the WebJobs SDK, so the pipeline runs locally without Core Tools.
/// Same names, same bindings, same Core calls as src/CarClassifier.Functions/Triggers. Locally the blob
/// trigger polls the container (Azurite has no Event Grid).
/// </summary>
public sealed class LocalFunctions(ImageIngestor ingestor, ImageClassifier classifier, ILogger<LocalFunctions> logger)
{
    [FunctionName(PipelineNames.IngestFunction)]
    public async Task IngestImageAsync(
        [BlobTrigger(PipelineNames.ImagesContainer + "/{name}", Connection = PipelineNames.StorageConnection)] BlobClient blob,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await ingestor.IngestAsync(blob.BlobContainerName, blob.Name, properties.Value.ETag.ToString(), properties.Value.ContentLength, cancellationToken).ConfigureAwait(false);
    }

    [FunctionName(PipelineNames.ClassifyFunction)]
    public async Task ClassifyImagesAsync(
        [QueueTrigger(PipelineNames.WorkQueue, Connection = PipelineNames.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = ClassifyRequest.Parse(message.Body.ToString());
        try
        {
            await classifier.ClassifyAsync(request, message.DequeueCount, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Logged here with the attempt number so the reason is on record when the queue finally poisons the message.
            // The SDK logs the full exception as well; this line is the short, searchable reason.
            logger.LogWarning(
                "Classify {Container}/{BlobName} failed on delivery {DequeueCount} (message {MessageId}): {Reason}",
                request.Container, request.BlobName, message.DequeueCount, message.MessageId, ex.Message.Split('\n')[0]);
            throw;
        }
    }
}
