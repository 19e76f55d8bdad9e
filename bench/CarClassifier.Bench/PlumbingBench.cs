using System.Diagnostics;
using System.Globalization;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using CarClassifier.TestBroker;

namespace CarClassifier.Bench;

/// <summary>
/// Host CPU per image outside decode and inference: the real local host (<c>carclass host</c>, a child process)
/// against a private in-memory Azurite, with the bench model (color-tiny: inference costs ~0). The photos are uploaded
/// first, then the host starts; its user + system CPU is read from /proc (so Azurite and this process are excluded).
/// Modes, one path per run: <c>classify</c> (blob trigger disabled; this process sends the claim checks, a warm-up
/// batch first, then N, counted from the first to the last row) and <c>ingest</c> (classify function disabled; from
/// the start-up sweep to the last claim check), and <c>classify-servicebus</c>: the same classify path on the other
/// transport, the Service Bus worker host (src/CarClassifier.Worker, a child process, batch receive) fed by the tests'
/// AMQP broker running in this process, so the broker's CPU is excluded as Azurite's is. The decode-only cost of the
/// same files, on one thread in this process, is measured beside it. Per-thread CPU, grouped by the runtime's thread names, splits the host's time further.
/// </summary>
internal static class PlumbingBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, Action<string> note, CancellationToken cancellationToken)
    {
        if (!ProcessCpu.Supported)
        {
            note("plumbing section skipped: needs /proc (Linux).");
            return [];
        }

        var azurite = AzuriteBench.AzuritePath;
        var cli = settings.CliDll ?? Path.Combine(AppContext.BaseDirectory, "carclass.dll");
        if (!File.Exists(azurite) || !File.Exists(cli))
        {
            note($"plumbing section skipped: {(File.Exists(cli) ? azurite : cli)} missing.");
            return [];
        }

        var results = new List<BenchResult>();
        var run = 0;
        foreach (var size in settings.PlumbingSizes)
        {
            var photoClass = size == PhotoSet.PlumbingOnlyClass ? PhotoSet.Small(photos) : photos.FirstOrDefault(p => p.Name == size)
                ?? throw new ArgumentException($"--plumbing-sizes: no photo class '{size}' (known: {string.Join(", ", photos.Select(p => p.Name).Append(PhotoSet.PlumbingOnlyClass))}).");
            var decodeOnly = DecodeOnlyCpuMs(photoClass, model);
            note($"plumbing {size}: decode only {decodeOnly:F2} core-ms/image");
            foreach (var mode in settings.PlumbingModes)
            {
                if (LocalHostBench.Modes.Contains(mode))
                {
                    // End to end on the local host (ingest included): its own runner, two batch sizes for the marginal cost.
                    try
                    {
                        var endToEnd = await LocalHostBench.RunAsync(settings, model, photoClass, mode, decodeOnly, () => settings.AzuritePort + (3 * run++), azurite, cli, note, cancellationToken).ConfigureAwait(false);
                        results.Add(endToEnd);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Azure.RequestFailedException or AggregateException)
                    {
                        note($"plumbing {size} {mode} FAILED: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                    }

                    continue;
                }

                // A fresh Azurite on fresh ports per run: a killed one can hold its ports for a moment.
                var port = settings.AzuritePort + (3 * run++);
                try
                {
                    var result = await RunOnceAsync(settings, model, photoClass, mode, decodeOnly, port, azurite, cli, cancellationToken).ConfigureAwait(false);
                    results.Add(result);
                    note($"plumbing {size} {mode} ({settings.PlumbingLabel}): {result.Stats.Median:F2} core-ms/image, load {Report.LoadAverage()}; by thread: " +
                        string.Join(", ", result.Extra.Where(kv => kv.Key.StartsWith("thread:", StringComparison.Ordinal)).Select(kv => $"{kv.Key[7..]} {kv.Value:F2}")));
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Azure.RequestFailedException or AggregateException)
                {
                    note($"plumbing {size} {mode} FAILED: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                }
            }
        }

        return results;
    }

    private static async Task<BenchResult> RunOnceAsync(
        BenchSettings settings, BenchModel model, PhotoClass photoClass, string mode, double decodeOnly, int port, string azurite, string cli,
        CancellationToken cancellationToken)
    {
        int blobPort = port, queuePort = blobPort + 1, tablePort = blobPort + 2;
        using var azuriteProcess = AzuriteBench.StartAzurite(azurite, blobPort, queuePort, tablePort);
        var serviceBus = mode == ServiceBusMode;
        using var broker = serviceBus ? new ServiceBusTestBroker() : null;
        broker?.CreateQueue(PipelineNames.WorkQueue, new BrokerQueueOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        await using var busClient = broker is null ? null : new ServiceBusClient(broker.ConnectionString);
        Process? host = null;
        try
        {
            await AzuriteBench.WaitListeningAsync([blobPort, queuePort, tablePort], azuriteProcess, cancellationToken).ConfigureAwait(false);
            var connection = AzuriteBench.ConnectionString(blobPort, queuePort, tablePort);
            var storage = await AzuriteBench.OpenStorageAsync(connection, cancellationToken).ConfigureAwait(false);
            var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
            var queue = storage.CreateQueueClient(PipelineNames.WorkQueue);
            var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));

            // Every blob is in the container before the host starts, so the polling blob trigger's start-up sweep sees
            // them all (a blob uploaded during a sweep can be missed until the reconciler's grace period: not a cost
            // to measure here).
            var n = settings.PlumbingImages;
            var warm = mode == "ingest" ? Math.Clamp(n / 4, 16, 64) : settings.PlumbingWarmUp ?? WarmUpCount(n);
            var etags = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
            await UploadAsync(container, photoClass, "warm", warm, etags, cancellationToken).ConfigureAwait(false);
            await UploadAsync(container, photoClass, "run", n, etags, cancellationToken).ConfigureAwait(false);

            using var output = new OutputCounter(settings.HostLogFolder is null ? null
                : Path.Combine(settings.HostLogFolder, $"host-{settings.PlumbingLabel}-{photoClass.Name}-{mode}.log"));
            host = serviceBus
                ? StartWorker(model, connection, broker!.ConnectionString, settings, output)
                : StartHost(cli, model, connection, mode, settings, output);
            await output.WaitForAsync(serviceBus ? "Receiving from Service Bus queue" : "Listening on container", host, TimeSpan.FromSeconds(180), cancellationToken).ConfigureAwait(false);
            // Start-up: the host's CPU from launch until it listens (runtime start, DI, model load, JIT of the start path).
            var startupCpuMs = ProcessCpu.Read(host.Id).TotalMs;

            ProcessCpu before;
            string loadBefore;
            long linesBefore, bytesBefore;
            Stopwatch watch;
            int counted;
            if (mode is "classify" or ServiceBusMode)
            {
                // The classify path alone: this process sends the claim checks the ingest function would (same JSON,
                // same queue encoding, or the same Service Bus message with its MessageId), the host's blob trigger is
                // disabled. Warm-up first (JIT, connections), uncounted.
                await using var busQueue = busClient is null ? null : new ServiceBusWorkQueue(busClient);
                var work = busQueue ?? new WorkQueue(queue);
                await EnqueueAsync(work, photoClass, "warm", warm, etags, cancellationToken).ConfigureAwait(false);
                await WaitDoneAsync(mode, results, queue, "warm/", warm, host, cancellationToken).ConfigureAwait(false);

                // Tiered compilation keeps recompiling hot methods in the background for a while (for many seconds on a
                // busy machine): wait until the JIT thread is quiet, so what follows is the steady state.
                await WaitForJitToSettleAsync(host.Id, cancellationToken).ConfigureAwait(false);
                using var profile = SamplingProfile.Start(settings.ProfileFolder, $"{settings.PlumbingLabel}-{photoClass.Name}-{mode}", host.Id);
                (loadBefore, linesBefore, bytesBefore, before, watch) = (Report.LoadAverage(), output.Lines, output.Bytes, ProcessCpu.Read(host.Id), Stopwatch.StartNew());
                await EnqueueAsync(work, photoClass, "run", n, etags, cancellationToken).ConfigureAwait(false);
                await WaitDoneAsync(mode, results, queue, "run/", n, host, cancellationToken).ConfigureAwait(false);
                counted = n;
                profile?.Stop();
            }
            else
            {
                // The ingest path alone (classify function disabled): from the host's start-up sweep to the last claim
                // check on the queue. Includes the sweep's JIT (reported in its own column).
                (loadBefore, linesBefore, bytesBefore, before, watch) = (Report.LoadAverage(), output.Lines, output.Bytes, ProcessCpu.Read(host.Id), Stopwatch.StartNew());
                await WaitDoneAsync(mode, results, queue, "", warm + n, host, cancellationToken).ConfigureAwait(false);
                counted = warm + n;
            }

            var seconds = watch.Elapsed.TotalSeconds;
            var after = ProcessCpu.Read(host.Id);

            // Idle rate, after the run: what the host burns with nothing to do (queue polling, blob scans, reconciler, timers).
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var idle0 = ProcessCpu.Read(host.Id);
            var idleWatch = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(settings.Quick ? 2 : 4), cancellationToken).ConfigureAwait(false);
            var idleRate = (ProcessCpu.Read(host.Id).TotalMs - idle0.TotalMs) / idleWatch.Elapsed.TotalSeconds;

            n = counted;
            var perImage = (after.TotalMs - before.TotalMs) / n;
            var result = new BenchResult("plumbing", $"{photoClass.Name}, {n} images", $"{mode} ({settings.PlumbingLabel})", "host core-ms/image", new Stats(perImage, perImage, perImage, 1))
            {
                Extra =
                {
                    ["images"] = n,
                    ["warmUpImages"] = mode == "ingest" ? 0 : warm,
                    ["startupCpuMs"] = startupCpuMs,
                    ["hostCpuMsPerImage"] = perImage,
                    ["idleCpuMsPerSecond"] = idleRate,
                    ["backgroundMsPerImage"] = idleRate * seconds / n,
                    ["wallSeconds"] = seconds,
                    ["imagesPerSecondWall"] = n / seconds,
                    ["decodeOnlyCpuMs"] = decodeOnly,
                    ["stdoutLinesPerImage"] = (output.Lines - linesBefore) / (double)n,
                    ["stdoutBytesPerImage"] = (output.Bytes - bytesBefore) / (double)n,
                    ["loadAverage1mBefore"] = double.Parse(loadBefore.Split(' ')[0], Inv),
                    ["loadAverage1mAfter"] = double.Parse(Report.LoadAverage().Split(' ')[0], Inv),
                },
            };
            foreach (var (name, ms) in ProcessCpu.ByThreadName(before, after).OrderByDescending(kv => kv.Value))
            {
                result.Extra[$"thread:{name}"] = ms / n;
            }

            // What is left of JIT after the settle wait (methods first reached in the measured run) is a one-time cost.
            result.Extra["jitMsPerImage"] = result.Extra.GetValueOrDefault($"thread:{ProcessCpu.JitGroup}");
            result.Extra["steadyMsPerImage"] = perImage - result.Extra["jitMsPerImage"];
            result.Extra["imagesPerCoreSecond"] = 1000 / result.Extra["steadyMsPerImage"];

            if (mode is "classify" or ServiceBusMode)
            {
                var rows = new List<ClassificationResult>();
                await foreach (var row in results.ListAsync($"{PipelineNames.ImagesContainer}/run/", cancellationToken).ConfigureAwait(false)) rows.Add(row);
                result.Extra["rowsSucceeded"] = rows.Count(r => r.Status == nameof(ClassificationStatus.Succeeded));
                result.Extra["hostDecodeWallMsMean"] = rows.Average(r => r.DecodeMs);
                result.Extra["batchSizeMean"] = rows.Average(r => r.BatchSize);
                // Each row carries its batch's Run time: per image that is InferenceMs / BatchSize.
                result.Extra["inferenceMsPerImage"] = rows.Average(r => r.InferenceMs / Math.Max(1, r.BatchSize));
                result.Extra["outsideDecodeInferenceMs"] = result.Extra["steadyMsPerImage"] - decodeOnly - result.Extra["inferenceMsPerImage"];
            }

            return result;
        }
        finally
        {
            if (host is { HasExited: false }) host.Kill(entireProcessTree: true);
            host?.Dispose();
            if (!azuriteProcess.HasExited) azuriteProcess.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The mode that runs the classify path on the Service Bus worker host instead of the local host.</summary>
    public const string ServiceBusMode = "classify-servicebus";

    /// <summary>The built worker host (src/CarClassifier.Worker); scripts/bench.sh builds it.</summary>
    public static string DefaultWorkerDll => Path.Combine(RepoPaths.Root, "src", "CarClassifier.Worker", "bin", "Release", "net10.0", "CarClassifier.Worker.dll");

    private static Process StartWorker(BenchModel model, string connection, string serviceBusConnection, BenchSettings settings, OutputCounter output)
    {
        var workerDll = settings.WorkerDll ?? DefaultWorkerDll;
        if (!File.Exists(workerDll)) throw new InvalidOperationException($"{workerDll} missing: dotnet build src/CarClassifier.Worker -c Release.");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { workerDll },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        start.Environment[PipelineNames.StorageConnection] = connection;
        start.Environment[PipelineNames.ServiceBusConnection] = serviceBusConnection;
        start.Environment["Classifier__Transport"] = nameof(MessageTransport.ServiceBus);
        start.Environment["Classifier__ModelManifest"] = model.ManifestPath;
        start.Environment["Classifier__ModelCacheDirectory"] = RepoPaths.Resolve(settings.ModelCache);
        start.Environment["Classifier__AllowModelDownload"] = "false";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["NO_COLOR"] = "1";
        return HostProcess.Start(start, settings, profiled: settings.ProfileFolder is not null, output.Add, "the Service Bus worker");
    }

    private static Process StartHost(string cli, BenchModel model, string connection, string mode, BenchSettings settings, OutputCounter output)
    {
        var start = HostProcess.LocalHost(cli, model, connection, settings);
        // One path per run; the reconciler off in both (it would ingest the blobs the classify run never ingested, and
        // its sweeps cost per interval, not per image: see the idle column).
        start.Environment[$"AzureWebJobs.{(mode == "ingest" ? PipelineNames.ClassifyFunction : PipelineNames.IngestFunction)}.Disabled"] = "true";
        start.Environment["Reconciler__Enabled"] = "false";
        return HostProcess.Start(start, settings, profiled: settings.ProfileFolder is not null, output.Add, "carclass host");
    }

    internal static async Task UploadAsync(
        BlobContainerClient container, PhotoClass photoClass, string prefix, int count,
        System.Collections.Concurrent.ConcurrentDictionary<string, string> etags, CancellationToken cancellationToken)
    {
        var files = photoClass.Files;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var name = $"{prefix}/{i:D5}.jpg";
            var info = await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(files[i % files.Count].Bytes), overwrite: true, ct).ConfigureAwait(false);
            etags[name] = info.Value.ETag.ToString();
        }).ConfigureAwait(false);
    }

    /// <summary>The claim checks ImageIngestor would send for these blobs.</summary>
    private static async Task EnqueueAsync(
        WorkQueue work, PhotoClass photoClass, string prefix, int count,
        System.Collections.Concurrent.ConcurrentDictionary<string, string> etags, CancellationToken cancellationToken)
    {
        var files = photoClass.Files;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var name = $"{prefix}/{i:D5}.jpg";
            await work.SendAsync(
                new ClassifyRequest
                {
                    Container = PipelineNames.ImagesContainer,
                    BlobName = name,
                    ETag = etags[name],
                    SizeBytes = files[i % files.Count].Bytes.Length,
                    EnqueuedAt = DateTimeOffset.UtcNow,
                    CorrelationId = Guid.NewGuid().ToString("N"),
                },
                ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Classify mode: until every row under the prefix exists. Ingest mode: until the queue holds that many messages.</summary>
    private static async Task WaitDoneAsync(string mode, ResultStore results, QueueClient queue, string prefix, int count, Process host, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120 + (count * 2));
        while (DateTime.UtcNow < deadline)
        {
            if (host.HasExited) throw new InvalidOperationException($"carclass host exited with code {host.ExitCode}.");
            if (mode == "ingest")
            {
                var properties = await queue.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
                if (properties.Value.ApproximateMessagesCount >= count) return;
            }
            else
            {
                var done = 0;
                await foreach (var _ in results.ListAsync($"{PipelineNames.ImagesContainer}/{prefix}", cancellationToken).ConfigureAwait(false)) done++;
                if (done >= count) return;
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"The host did not finish {count} images under '{prefix}' ({mode} mode) in time.");
    }

    internal static async Task WaitForJitToSettleAsync(int pid, CancellationToken cancellationToken)
    {
        static double Jit(int pid) => ProcessCpu.Read(pid).Threads.Values.Where(t => ProcessCpu.GroupName(t.Name) == ProcessCpu.JitGroup).Sum(t => t.Ms);
        var last = Jit(pid);
        for (var i = 0; i < 60; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var now = Jit(pid);
            if (now - last < 15) return;
            last = now;
        }
    }

    /// <summary>
    /// Images for the uncounted warm-up: enough for tiered compilation to finish the hot path. Per-batch methods run
    /// once per batch (16 images), and each must be called 30 times at tier 0 and again in its instrumented tier
    /// before tier 1, so a 64-image warm-up left them unoptimised, and the JIT busy, through the measured window.
    /// </summary>
    private static int WarmUpCount(int images) => Math.Clamp(images * 2, 16, 1600);

    /// <summary>Decode + preprocess of the same files on one thread of this process, with the host's default decoder and limits.</summary>
    internal static double DecodeOnlyCpuMs(PhotoClass photoClass, BenchModel model)
    {
        var options = new ClassifierOptions();
        var decoder = ImageDecoderFactory.Create(options.Decoder);
        var limits = options.ToImageLimits();
        var tensor = new float[3 * 224 * 224];
        var files = photoClass.Files.Select(f => f.Bytes).ToArray();
        // Warm-up long enough for tiered compilation to reach its optimised code (slow when the machine is busy).
        var warm = Stopwatch.StartNew();
        for (var i = 0; warm.Elapsed < TimeSpan.FromSeconds(1.5) || i < 100; i++) decoder.DecodeInto(files[i % files.Length], model.Manifest.Preprocess, limits, tensor);
        var before = ProcessCpu.Read(Environment.ProcessId).TotalMs;
        var watch = Stopwatch.StartNew();
        var count = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(2) || count < 20)
        {
            decoder.DecodeInto(files[count % files.Length], model.Manifest.Preprocess, limits, tensor);
            count++;
        }

        return (ProcessCpu.Read(Environment.ProcessId).TotalMs - before) / count;
    }

    /// <summary>Counts the host's output (its console log) and lets the bench wait for a line.</summary>
    internal sealed class OutputCounter(string? logPath) : IDisposable
    {
        private readonly object _gate = new();
        private readonly StreamWriter? _log = logPath is null ? null : new StreamWriter(logPath);
        private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

        public long Lines { get; private set; }

        public long Bytes { get; private set; }

        public string Last { get; private set; } = "";

        public void Add(string? line)
        {
            if (line is null) return;
            lock (_gate)
            {
                Lines++;
                Bytes += line.Length + 1;
                _log?.WriteLine(line);
                Last = line;
                foreach (var (text, seen) in _waiters)
                {
                    if (line.Contains(text, StringComparison.Ordinal)) seen.TrySetResult();
                }
            }
        }

        public void Dispose()
        {
            lock (_gate) _log?.Dispose();
        }

        public async Task WaitForAsync(string text, Process process, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate) _waiters.Add((text, seen));
            var exited = process.WaitForExitAsync(cancellationToken);
            var finished = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
            if (finished == seen.Task) return;
            throw new InvalidOperationException(finished == exited
                ? $"carclass host exited ({process.ExitCode}) before '{text}'; last output: {Last}"
                : $"carclass host did not print '{text}' within {timeout.TotalSeconds:F0} s; last output: {Last}");
        }
    }
}
