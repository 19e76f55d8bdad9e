using System.Diagnostics;
using System.Globalization;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using CarClassifier.ModelGeneration;
using CarClassifier.TestBroker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Bench;

/// <summary>
/// Both transports with the same model, photos and Azurite (blobs, rows): the storage queue (the local host does ingest
/// and classify) and Service Bus (the local host ingests, the worker host classifies from the tests' AMQP broker, driven
/// by the real Azure.Messaging.ServiceBus client over TCP). N photos are uploaded first; reported per transport: images/s
/// from the hosts' start to the last row, the ONNX batch sizes the rows record and, on Service Bus, the receive batch size.
/// Not in the default sections (<c>--sections servicebus</c>): the broker is a test server, so the Service Bus number is
/// this pipeline's own cost, not the service's latency.
/// </summary>
internal static class ServiceBusBench
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, Action<string> note, CancellationToken cancellationToken)
    {
        var azurite = AzuriteBench.AzuritePath;
        if (!File.Exists(azurite))
        {
            note($"Service Bus section skipped: {azurite} missing (scripts/azurite.sh install).");
            return [];
        }

        int blobPort = settings.AzuritePort + 20, queuePort = blobPort + 1, tablePort = blobPort + 2;
        using var process = AzuriteBench.StartAzurite(azurite, blobPort, queuePort, tablePort);
        try
        {
            await AzuriteBench.WaitListeningAsync([blobPort, queuePort, tablePort], process, cancellationToken).ConfigureAwait(false);
            var connection = AzuriteBench.ConnectionString(blobPort, queuePort, tablePort);
            var results = new List<BenchResult>();
            foreach (var receiveBatch in new[] { settings.E2eBatch, settings.E2eBatch * 4 })
            {
                results.Add(await MeasureAsync(settings, model, photos, connection, MessageTransport.ServiceBus, receiveBatch, note, cancellationToken).ConfigureAwait(false));
            }

            results.Add(await MeasureAsync(settings, model, photos, connection, MessageTransport.StorageQueue, 0, note, cancellationToken).ConfigureAwait(false));
            return results;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static async Task<BenchResult> MeasureAsync(
        BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, string connection,
        MessageTransport transport, int receiveBatch, Action<string> note, CancellationToken cancellationToken)
    {
        using var broker = new ServiceBusTestBroker();
        var queue = broker.CreateQueue(PipelineNames.WorkQueue, new BrokerQueueOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        var config = new Dictionary<string, string?>
        {
            [PipelineNames.StorageConnection] = connection,
            ["Classifier:ModelManifest"] = model.ManifestPath,
            ["Classifier:ModelCacheDirectory"] = RepoPaths.Resolve(settings.ModelCache),
            ["Classifier:AllowModelDownload"] = "false",
            ["Classifier:MaxBatchSize"] = settings.E2eBatch.ToString(CultureInfo.InvariantCulture),
            ["Classifier:ExecutionProvider"] = settings.Provider == "cuda" ? "Cuda" : "Cpu",
            ["Classifier:Transport"] = transport.ToString(),
        };
        if (transport == MessageTransport.ServiceBus)
        {
            config[PipelineNames.ServiceBusConnection] = broker.ConnectionString;
            config["Classifier:ServiceBus:ReceiveBatchSize"] = receiveBatch.ToString(CultureInfo.InvariantCulture);
            config["Classifier:ServiceBus:MaxWaitMilliseconds"] = "200";
        }

        var storage = new StorageClientFactory(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        await StorageBootstrapper.EnsureAsync(storage, cancellationToken).ConfigureAwait(false);
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
        var prefix = $"sbbench-{transport}-{receiveBatch}-{Guid.NewGuid():N}/";
        var files = photos.Where(p => p.Name is "640x480" or "1920x1080").SelectMany(p => p.Files).ToArray();
        for (var i = 0; i < settings.AzuriteImages; i++)
        {
            await container.GetBlobClient($"{prefix}{i:D5}.jpg").UploadAsync(BinaryData.FromBytes(files[i % files.Length].Bytes), cancellationToken).ConfigureAwait(false);
        }

        void Quiet(ILoggingBuilder logging) => logging.ClearProviders().SetMinimumLevel(LogLevel.Error);
        var ingestConfig = new Dictionary<string, string?>(config);
        if (transport == MessageTransport.ServiceBus) ingestConfig[$"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled"] = "true";
        using var ingest = LocalHostBuilder.Build(ingestConfig, Quiet);
        IHost? worker = null;
        if (transport == MessageTransport.ServiceBus)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(config);
            Quiet(builder.Logging);
            builder.Services.AddCarClassifier(builder.Configuration);
            builder.Services.AddServiceBusClassifier();
            builder.Services.AddModelGeneration();
            worker = builder.Build();
        }

        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(ingest.StartAsync(cancellationToken), worker?.StartAsync(cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
        var ready = Stopwatch.GetTimestamp();
        List<ClassificationResult> rows = [];
        long receivedBatches = 0, receivedMessages = 0;
        var elapsed = TimeSpan.Zero;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60 + (settings.AzuriteImages * 2));
            while (DateTime.UtcNow < deadline)
            {
                rows = [];
                await foreach (var row in results.ListAsync($"{PipelineNames.ImagesContainer}/{prefix}", cancellationToken).ConfigureAwait(false)) rows.Add(row);
                if (rows.Count >= settings.AzuriteImages) break;
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            var last = Stopwatch.GetTimestamp();
            if (worker is not null)
            {
                var consumer = worker.Services.GetRequiredService<ServiceBusClassifierWorker>();
                receivedBatches = consumer.BatchesReceived;
                receivedMessages = consumer.MessagesReceived;
                await worker.StopAsync(CancellationToken.None).ConfigureAwait(false);
                worker.Dispose();
            }

            await ingest.StopAsync(CancellationToken.None).ConfigureAwait(false);
            elapsed = Stopwatch.GetElapsedTime(ready, last);
        }

        if (rows.Count < settings.AzuriteImages) throw new TimeoutException($"Only {rows.Count} of {settings.AzuriteImages} rows on {transport}.");
        var lastRow = rows.Max(r => r.ProcessedAt);
        var firstRow = rows.Min(r => r.ProcessedAt);
        var rate = rows.Count / elapsed.TotalSeconds;
        var variant = transport == MessageTransport.ServiceBus ? $"Service Bus, receive {receiveBatch}" : "storage queue (local host)";
        note($"{variant}: {rows.Count} rows, {rate:F1} images/s, ONNX batch mean {rows.Average(r => r.BatchSize):F1}");
        var result = new BenchResult("servicebus", $"{rows.Count} images, ONNX batch {settings.E2eBatch}", variant, "images/s", new Stats(rate, rate, rate, 1))
        {
            Extra =
            {
                ["images"] = rows.Count,
                ["hostStartSeconds"] = Stopwatch.GetElapsedTime(started, ready).TotalSeconds,
                ["firstToLastRowSeconds"] = (lastRow - firstRow).TotalSeconds,
                ["onnxBatchMean"] = rows.Average(r => r.BatchSize),
                ["onnxBatchMax"] = rows.Max(r => r.BatchSize),
                ["failedRows"] = rows.Count(r => r.Status != nameof(ClassificationStatus.Succeeded)),
            },
        };
        if (transport == MessageTransport.ServiceBus)
        {
            result.Extra["receiveBatchMean"] = receivedBatches == 0 ? 0 : (double)receivedMessages / receivedBatches;
            result.Extra["receives"] = receivedBatches;
            result.Extra["deliveries"] = queue.Deliveries;
        }

        return result;
    }
}
