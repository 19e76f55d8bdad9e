using Azure.Core.Pipeline;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using CarClassifier.Infra.Tests.StorageUse;
using Microsoft.Extensions.DependencyInjection;

namespace CarClassifier.EndToEnd.Tests.StorageUse;

/// <summary>
/// <see cref="StorageUseTests"/> for the Service Bus transport: the worker host classifies as the classifier identity,
/// so every storage request it makes must be one of infra/storage-use.json's "classifier" uses (whose grants Bicep
/// deploys on both transports), and neither host touches the storage work queue.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ServiceBusStorageUseTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ServiceBusWorker_EveryStorageRequest_IsAClassifierUse_AndNoHostTouchesTheStorageWorkQueue()
    {
        var table = StorageUseTable.Load(Path.Combine(RepoPaths.Root, "infra", "storage-use.json"));
        var ingestRecorder = new RecordingPolicy();
        var workerRecorder = new RecordingPolicy();
        // As in Azure, neither host creates storage resources (Bicep does); locally the host would.
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            extra: new Dictionary<string, string?> { ["Classifier:CreateStorageResources"] = "false" },
            configureIngest: services => services.AddSingleton<HttpPipelinePolicy>(ingestRecorder));
        var prefix = $"sb-storage-use-{Guid.NewGuid():N}/";
        var files = new Dictionary<string, byte[]>
        {
            [$"{prefix}red.png"] = TestImages.SolidPng(TestImages.Colours["red"]),
            [$"{prefix}corrupt.jpg"] = TestImages.CorruptJpeg(),
        };
        foreach (var (name, bytes) in files) await pipeline.Ingest.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes));

        await pipeline.StartAsync(withWorker: false);
        var deadline = DateTime.UtcNow + Timeout;
        while (pipeline.Queue.Count < files.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "The claim checks never reached the Service Bus queue.");
            await Task.Delay(50);
        }

        await pipeline.StartWorkerAsync(services => services.AddSingleton<HttpPipelinePolicy>(workerRecorder));
        await pipeline.Ingest.WaitForRowsAsync(files.Keys.Select(n => ResultKeys.BlobPath(PipelineNames.ImagesContainer, n)), Timeout);
        var worker = Operations(workerRecorder);
        var ingest = Operations(ingestRecorder);

        // The recording saw the worker's own work (else it proves nothing)...
        Assert.Contains(new StorageOperation("blob", PipelineNames.ImagesContainer, "read"), worker);
        Assert.Contains(new StorageOperation("table", PipelineNames.ResultsTable, "write"), worker);

        // ...every request is a use the classifier identity is granted...
        var unlisted = worker.Where(o => !table.UsesOf(["classifier"], o.Service, o.Resource, o.Op).Any()).Select(o => o.ToString()).Order().ToList();
        Assert.True(unlisted.Count == 0, "The Service Bus worker touched storage infra/storage-use.json does not grant the classifier identity: " + string.Join("; ", unlisted));

        // ...and the claim checks travelled on Service Bus only.
        Assert.DoesNotContain(worker.Concat(ingest), o => o.Service == "queue" && o.Resource.StartsWith(PipelineNames.WorkQueue, StringComparison.Ordinal));
    }

    private List<StorageOperation> Operations(RecordingPolicy recorder) =>
        recorder.Requests.SelectMany(r => StorageOperation.From(r, azurite.BlobPort, azurite.QueuePort, azurite.TablePort)).Distinct().ToList();
}
