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
/// Both transports draining the same backlog with the same model, photos and Azurite (blobs, rows): N photos are uploaded
/// and ingested first (untimed), then the classifier alone starts: the local host's queue trigger on the storage queue,
/// or the worker host on Service Bus (the tests' AMQP broker, driven by the real Azure.Messaging.ServiceBus client over
/// TCP). Reported per transport: images/s from the classifier's start to the last row, the ONNX batch sizes the rows
/// record and, on Service Bus, the receive batch size.
/// Not in the default sections (<c>--only servicebus</c>): the broker is a test server, so the Service Bus number is
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
            // Prefetch 0 and prefetch = one receive, for each receive size: the measurement ServiceBusOptions.PrefetchCount's
            // default rests on. The order alternates, so a later run's warm JIT and caches favour neither setting.
            foreach (var receiveBatch in new[] { settings.E2eBatch, settings.E2eBatch * 4 })
            {
                foreach (var prefetch in receiveBatch == settings.E2eBatch ? new[] { 0, receiveBatch } : [receiveBatch, 0])
                {
                    results.Add(await MeasureAsync(settings, model, photos, connection, MessageTransport.ServiceBus, receiveBatch, prefetch, note, cancellationToken).ConfigureAwait(false));
                }
            }

            results.Add(await MeasureAsync(settings, model, photos, connection, MessageTransport.StorageQueue, 0, 0, note, cancellationToken).ConfigureAwait(false));
            return results;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static async Task<BenchResult> MeasureAsync(
        BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, string connection,
        MessageTransport transport, int receiveBatch, int prefetch, Action<string> note, CancellationToken cancellationToken)
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
            config["Classifier:ServiceBus:PrefetchCount"] = prefetch.ToString(CultureInfo.InvariantCulture);
        }

        var storage = new StorageClientFactory(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        await StorageBootstrapper.EnsureAsync(storage, cancellationToken).ConfigureAwait(false);
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
        var prefix = $"sbbench-{transport}-{receiveBatch}-{prefetch}-{Guid.NewGuid():N}/";
        var files = photos.Where(p => p.Name is "640x480" or "1920x1080").SelectMany(p => p.Files).ToArray();
        for (var i = 0; i < settings.AzuriteImages; i++)
        {
            await container.GetBlobClient($"{prefix}{i:D5}.jpg").UploadAsync(BinaryData.FromBytes(files[i % files.Length].Bytes), cancellationToken).ConfigureAwait(false);
        }

        void Quiet(ILoggingBuilder logging) => logging.ClearProviders().SetMinimumLevel(LogLevel.Error);

        // Phase 1, not timed: ingest alone fills the queue (a backlog, the case batch receive is for).
        var ingestConfig = new Dictionary<string, string?>(config) { [$"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled"] = "true" };
        using (var ingest = LocalHostBuilder.Build(ingestConfig, Quiet))
        {
            await ingest.StartAsync(cancellationToken).ConfigureAwait(false);
            var storageQueue = storage.CreateQueueClient(PipelineNames.WorkQueue);
            var fillDeadline = DateTime.UtcNow.AddSeconds(60 + (settings.AzuriteImages * 2));
            while (DateTime.UtcNow < fillDeadline)
            {
                var waiting = transport == MessageTransport.ServiceBus
                    ? queue.Count
                    : (await storageQueue.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
                if (waiting >= settings.AzuriteImages) break;
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }

            await ingest.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        // Phase 2, timed: the classifier alone drains it (the worker host on Service Bus, the local host's queue trigger otherwise).
        IHost classifier;
        if (transport == MessageTransport.ServiceBus)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(config);
            Quiet(builder.Logging);
            builder.Services.AddCarClassifier(builder.Configuration);
            builder.Services.AddServiceBusClassifier();
            builder.Services.AddModelGeneration();
            classifier = builder.Build();
        }
        else
        {
            classifier = LocalHostBuilder.Build(new Dictionary<string, string?>(config) { [$"AzureWebJobs.{PipelineNames.IngestFunction}.Disabled"] = "true" }, Quiet);
        }

        var started = Stopwatch.GetTimestamp();
        await classifier.StartAsync(cancellationToken).ConfigureAwait(false);
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
            elapsed = Stopwatch.GetElapsedTime(ready);
            if (transport == MessageTransport.ServiceBus)
            {
                var consumer = classifier.Services.GetRequiredService<ServiceBusClassifierWorker>();
                receivedBatches = consumer.BatchesReceived;
                receivedMessages = consumer.MessagesReceived;
            }

            await classifier.StopAsync(CancellationToken.None).ConfigureAwait(false);
            classifier.Dispose();
        }

        if (rows.Count < settings.AzuriteImages) throw new TimeoutException($"Only {rows.Count} of {settings.AzuriteImages} rows on {transport}.");
        var lastRow = rows.Max(r => r.ProcessedAt);
        var firstRow = rows.Min(r => r.ProcessedAt);
        var rate = rows.Count / elapsed.TotalSeconds;
        var variant = transport != MessageTransport.ServiceBus ? "storage queue (local host)"
            : prefetch == 0 ? $"Service Bus, receive {receiveBatch}"
            : $"Service Bus, receive {receiveBatch}, prefetch {prefetch}";
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
            result.Extra["prefetch"] = prefetch;
        }

        return result;
    }
}
