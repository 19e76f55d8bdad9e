using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Ingest;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Issue 15, hole 10: the local trigger re-reports at every host start the blobs the reconciler ingested (they have no
/// blob receipt). A blob version that already has its row must not be enqueued again; a new version must.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IngestDuplicateTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task TriggerIngest_BlobVersionWithARow_IsNotEnqueuedAgain_ANewVersionIs()
    {
        // Arrange
        var storage = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString })
            .Build());
        await StorageBootstrapper.EnsureAsync(storage);
        var queueName = $"dup-{Guid.NewGuid():N}";
        var queueClient = storage.CreateQueueClient(queueName);
        await queueClient.CreateAsync();
        var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
        var ingestor = new ImageIngestor(
            new Core.Messaging.WorkQueue(queueClient), results, storage.CreateBlobServiceClient(), Options.Create(new ClassifierOptions()), TimeProvider.System, NullLogger<ImageIngestor>.Instance);
        var blob = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer).GetBlobClient($"dup-{Guid.NewGuid():N}/a.jpg");
        var first = await blob.UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(TestImages.Colours["red"])));
        await results.UpsertAsync(new ClassificationResult
        {
            BlobPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, blob.Name),
            BlobETag = first.Value.ETag.ToString(),
            Label = "red",
            Model = "color-tiny@1#4ce41b50fc4d",
        });

        try
        {
            // Act
            var again = await ingestor.IngestAsync(blob);
            var peekedAfterAgain = (await queueClient.PeekMessagesAsync(10)).Value.Length;
            await blob.UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(TestImages.Colours["blue"])), overwrite: true);
            var changed = await ingestor.IngestAsync(blob);
            var peekedAfterChange = (await queueClient.PeekMessagesAsync(10)).Value.Length;

            // Assert
            Assert.Equal((IngestOutcome.AlreadyClassified, 0), (again, peekedAfterAgain));
            Assert.Equal((IngestOutcome.Enqueued, 1), (changed, peekedAfterChange));
        }
        finally
        {
            await queueClient.DeleteAsync();
        }
    }
}
