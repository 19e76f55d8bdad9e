using Azure.Storage.Blobs;
using CarClassifier.Core;
using CarClassifier.Core.Ingest;
using Microsoft.Azure.Functions.Worker;

namespace CarClassifier.Functions.Triggers;

/// <summary>
/// Blob trigger on the images container. Event Grid source: the Flex Consumption plan supports only
/// event-driven blob triggers, and events arrive in seconds rather than after a container scan.
/// </summary>
public sealed class IngestImage(ImageIngestor ingestor)
{
    [Function(PipelineNames.IngestFunction)]
    public async Task RunAsync(
        [BlobTrigger(PipelineNames.ImagesContainer + "/{name}", Source = BlobTriggerSource.EventGrid, Connection = PipelineNames.StorageConnection)] BlobClient blob,
        CancellationToken cancellationToken)
    {
        await ingestor.IngestAsync(blob, cancellationToken).ConfigureAwait(false);
    }
}
