using Azure.Core.Pipeline;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using CarClassifier.Infra.Tests.StorageUse;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace CarClassifier.EndToEnd.Tests.StorageUse;

/// <summary>
/// Code and grants cannot drift apart silently: the real local host (WebJobs triggers, Core clients) classifies a few
/// files against Azurite with a recording pipeline policy on every storage client it makes, and every resource and
/// operation it touched must be a use listed in infra/storage-use.json, whose grants the infra tests check against the
/// compiled Bicep. The local host runs both the ingest and the classify side, so it is held to both identities' uses.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageUseTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan RowTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task LocalHost_EveryStorageRequest_IsAUseInTheStorageUseTable()
    {
        // Arrange: record the Core clients (StorageClientFactory takes DI's policies) and the WebJobs extensions'
        // clients (their options come from AzureComponentFactory). As in Azure, the host creates no resource itself.
        var table = StorageUseTable.Load(Path.Combine(RepoPaths.Root, "infra", "storage-use.json"));
        var recorder = new RecordingPolicy();
        await using var pipeline = await PipelineHost.CreateAsync(
            azurite,
            new Dictionary<string, string?> { ["Classifier:CreateStorageResources"] = "false" },
            services =>
            {
                services.AddSingleton<HttpPipelinePolicy>(recorder);
                RecordingComponentFactory.Decorate(services, recorder);
            });
        var prefix = $"storage-use-{Guid.NewGuid():N}/";
        var files = new Dictionary<string, byte[]>
        {
            [$"{prefix}red.png"] = TestImages.SolidPng(TestImages.Colours["red"]),
            [$"{prefix}corrupt.jpg"] = TestImages.CorruptJpeg(),
            [$"{prefix}notes.txt"] = "not an image"u8.ToArray(),
        };
        foreach (var (name, bytes) in files)
        {
            await pipeline.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes));
        }

        // Act
        await pipeline.StartAsync();
        await pipeline.WaitForRowsAsync(files.Keys.Select(n => ResultKeys.BlobPath(PipelineNames.ImagesContainer, n)), RowTimeout);
        var operations = recorder.Requests
            .SelectMany(r => StorageOperation.From(r, azurite.BlobPort, azurite.QueuePort, azurite.TablePort))
            .Distinct()
            .ToList();

        // Assert: the recording saw both the trigger machinery and the pipeline's own clients (else it proves nothing)...
        Assert.Contains(new StorageOperation("blob", PipelineNames.ImagesContainer, "read"), operations);
        Assert.Contains(new StorageOperation("queue", PipelineNames.WorkQueue, "send"), operations);
        Assert.Contains(new StorageOperation("queue", PipelineNames.WorkQueue, "process"), operations);
        Assert.Contains(new StorageOperation("table", PipelineNames.ResultsTable, "write"), operations);
        Assert.Contains(operations, o => o.Service == "queue" && o.Resource.StartsWith("azure-webjobs-blobtrigger-", StringComparison.Ordinal));
        Assert.Contains(operations, o => o.Service == "blob" && o.Resource == "azure-webjobs-hosts" && o.Op == "write");

        // ...and every resource and operation is one the table lists (and therefore grants).
        var unlisted = operations
            .Where(o => !table.UsesOf(["ingest", "classifier"], o.Service, o.Resource, o.Op).Any())
            .Select(o => o.ToString())
            .Order()
            .ToList();
        Assert.True(
            unlisted.Count == 0,
            "The local host touched storage that infra/storage-use.json does not list (so Azure would answer 403): " +
            string.Join("; ", unlisted) + ". Seen: " + string.Join("; ", operations.Select(o => o.ToString()).Order()));
    }

    /// <summary>
    /// Wraps the registered <see cref="AzureComponentFactory"/> so every client options object the WebJobs storage
    /// extensions create (StorageClientProvider.CreateClientOptions) carries the recording policy.
    /// </summary>
    private sealed class RecordingComponentFactory(AzureComponentFactory inner, HttpPipelinePolicy policy) : AzureComponentFactory
    {
        public static void Decorate(IServiceCollection services, HttpPipelinePolicy policy)
        {
            var original = services.Last(d => d.ServiceType == typeof(AzureComponentFactory));
            services.Remove(original);
            services.AddSingleton<AzureComponentFactory>(sp =>
            {
                var inner = original.ImplementationInstance as AzureComponentFactory
                    ?? original.ImplementationFactory?.Invoke(sp) as AzureComponentFactory
                    ?? (AzureComponentFactory)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!);
                return new RecordingComponentFactory(inner, policy);
            });
        }

        public override Azure.Core.TokenCredential CreateTokenCredential(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
            inner.CreateTokenCredential(configuration);

        public override object CreateClientOptions(Type optionsType, object? serviceVersion, Microsoft.Extensions.Configuration.IConfiguration configuration)
        {
            var options = inner.CreateClientOptions(optionsType, serviceVersion, configuration);
            ((Azure.Core.ClientOptions)options).AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerCall);
            return options;
        }

        public override object CreateClient(Type clientType, Microsoft.Extensions.Configuration.IConfiguration configuration, Azure.Core.TokenCredential? credential, object clientOptions) =>
            inner.CreateClient(clientType, configuration, credential!, clientOptions);
    }
}
