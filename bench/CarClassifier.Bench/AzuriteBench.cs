using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Bench;

/// <summary>
/// Through storage: a private in-memory Azurite, the real local host (blob trigger -> queue -> classifier -> table)
/// with the benchmark model. N photos are uploaded first, then the host starts (its start-up sweep sees them all);
/// reported: images/s from host start to the last row, and p50/p95 queue-to-row latency (enqueue logged by the
/// ingest function to row upserted by the classify function).
/// </summary>
internal static class AzuriteBench
{
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, Action<string> note, CancellationToken cancellationToken)
    {
        var azurite = AzuritePath;
        if (!File.Exists(azurite))
        {
            note($"Azurite section skipped: {azurite} missing (scripts/azurite.sh install).");
            return [];
        }

        int blobPort = settings.AzuritePort, queuePort = blobPort + 1, tablePort = blobPort + 2;
        using var process = StartAzurite(azurite, blobPort, queuePort, tablePort);
        try
        {
            await WaitListeningAsync([blobPort, queuePort, tablePort], process, cancellationToken).ConfigureAwait(false);
            var connection = ConnectionString(blobPort, queuePort, tablePort);
            return [await MeasureAsync(settings, model, photos, connection, cancellationToken).ConfigureAwait(false)];
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static async Task<BenchResult> MeasureAsync(
        BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, string connection, CancellationToken cancellationToken)
    {
        var batch = settings.E2eBatch;
        var config = new Dictionary<string, string?>
        {
            [PipelineNames.StorageConnection] = connection,
            ["Classifier:ModelManifest"] = model.ManifestPath,
            ["Classifier:ModelCacheDirectory"] = RepoPaths.Resolve(settings.ModelCache),
            ["Classifier:AllowModelDownload"] = "false",
            ["Classifier:MaxBatchSize"] = batch.ToString(CultureInfo.InvariantCulture),
            ["Classifier:ExecutionProvider"] = settings.Provider == "cuda" ? "Cuda" : "Cpu",
        };
        var storage = new StorageClientFactory(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        await StorageBootstrapper.EnsureAsync(storage, cancellationToken).ConfigureAwait(false);

        // Upload first (see PipelineHost in the end-to-end tests: the start-up sweep sees every blob already there).
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var files = photos.Where(p => p.Name is "640x480" or "1920x1080").SelectMany(p => p.Files).ToArray();
        var paths = new List<string>();
        for (var i = 0; i < settings.AzuriteImages; i++)
        {
            var name = $"bench/{i:D5}.jpg";
            await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(files[i % files.Length].Bytes), cancellationToken).ConfigureAwait(false);
            paths.Add($"{PipelineNames.ImagesContainer}/{name}");
        }

        var timeline = new TimelineLoggerProvider();
        using var host = LocalHostBuilder.Build(config, logging => logging.ClearProviders().AddProvider(timeline).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("CarClassifier", LogLevel.Debug));
        var started = Stopwatch.GetTimestamp();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var modelReady = Stopwatch.GetTimestamp();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60 + (settings.AzuriteImages * 2));
            while (timeline.RowWritten.Count < paths.Count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var written = paths.Where(timeline.RowWritten.ContainsKey).ToArray();
        if (written.Length < paths.Count)
        {
            throw new TimeoutException($"Only {written.Length} of {paths.Count} rows were written through Azurite.");
        }

        var last = written.Max(p => timeline.RowWritten[p]);
        var firstEnqueue = written.Min(p => timeline.Enqueued.GetValueOrDefault(p, last));
        var latencies = written.Where(timeline.Enqueued.ContainsKey)
            .Select(p => Stopwatch.GetElapsedTime(timeline.Enqueued[p], timeline.RowWritten[p]).TotalMilliseconds).ToArray();
        var rate = written.Length / Stopwatch.GetElapsedTime(modelReady, last).TotalSeconds;
        return new BenchResult("azurite", $"{written.Length} images, batch {batch}", "local host + Azurite", "images/s", new Stats(rate, rate, rate, 1))
        {
            Extra =
            {
                ["images"] = written.Length,
                ["hostStartSeconds"] = Stopwatch.GetElapsedTime(started, modelReady).TotalSeconds,
                ["firstEnqueueAfterStartSeconds"] = Stopwatch.GetElapsedTime(modelReady, firstEnqueue).TotalSeconds,
                ["queueToRowP50Ms"] = Measure.Percentile(latencies, 0.50),
                ["queueToRowP95Ms"] = Measure.Percentile(latencies, 0.95),
            },
        };
    }

    public static string AzuritePath => Path.Combine(RepoPaths.Root, "tools", "azurite", "node_modules", ".bin", "azurite");

    /// <summary>Clients for the pipeline's storage on that connection, its containers, queues and table made.</summary>
    public static async Task<StorageClientFactory> OpenStorageAsync(string connection, CancellationToken cancellationToken)
    {
        var storage = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = connection }).Build());
        await StorageBootstrapper.EnsureAsync(storage, cancellationToken).ConfigureAwait(false);
        return storage;
    }

    public static string ConnectionString(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";

    public static Process StartAzurite(string azurite, int blobPort, int queuePort, int tablePort)
    {
        var start = new ProcessStartInfo(azurite)
        {
            ArgumentList =
            {
                "--silent", "--skipApiVersionCheck", "--loose", "--inMemoryPersistence",
                "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task WaitListeningAsync(int[] ports, Process process, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var all = true;
            foreach (var port in ports)
            {
                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    all = false;
                }
            }

            if (all) return;
            if (process.HasExited) throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} (ports {string.Join(',', ports)} in use?).");
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("Azurite did not start listening within 60 s.");
    }
}
