using Azure.Storage.Blobs;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Clients on the test Azurite for tests that need no running host.</summary>
internal sealed class PipelineHostlessStorage(AzuriteFixture azurite)
{
    public BlobContainerClient Images { get; } = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build())
        .CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
}
