using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues.Models;
using CarClassifier.Core;
using CarClassifier.Core.Classification;
using CarClassifier.Core.Ingest;
using Microsoft.Azure.WebJobs;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// The Functions app's two triggers on the WebJobs SDK, so the pipeline runs locally without Core Tools.
/// Same names, same bindings, same Core calls as src/CarClassifier.Functions/Triggers. Locally the blob
/// trigger polls the container (Azurite has no Event Grid).
/// </summary>
public sealed class LocalFunctions(ImageIngestor ingestor, ImageClassifier classifier)
{
    [FunctionName(PipelineNames.IngestFunction)]
    public async Task IngestImageAsync(
        [BlobTrigger(PipelineNames.ImagesContainer + "/{name}", Connection = PipelineNames.StorageConnection)] BlobClient blob,
        BlobProperties properties,
        CancellationToken cancellationToken)
    {
        // The trigger fetched the blob's properties to bind them (its "Properties" binding data): taking them here
        // saves the second HEAD request IngestAsync(BlobClient) would make.
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(properties);
        await ingestor.IngestAsync(blob.BlobContainerName, blob.Name, properties.ETag.ToString(), properties.ContentLength, cancellationToken).ConfigureAwait(false);
    }

    [FunctionName(PipelineNames.ClassifyFunction)]
    public async Task ClassifyImagesAsync(
        [QueueTrigger(PipelineNames.WorkQueue, Connection = PipelineNames.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken)
    {
        await classifier.ClassifyAsync(message, cancellationToken).ConfigureAwait(false);
    }
}
