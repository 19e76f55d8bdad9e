using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using CarClassifier.Bench.Isolated.Rpc;
using CarClassifier.Core;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;

namespace CarClassifier.Bench.Isolated;

/// <summary>
/// CPU per invocation of the real Functions app (src/CarClassifier.Functions, the isolated worker) on its classify
/// path: the built app runs as a child process, started with the command line the Functions host gives a worker, and
/// talks gRPC to <see cref="FunctionsHostStandIn"/>, a protocol-level stand-in for the host (Core Tools and the host are
/// not obtainable here). The stand-in loads the functions the worker indexes, then sends ClassifyImages the
/// InvocationRequests the host's queue trigger would (the claim check ImageIngestor enqueues, as the Storage Queues
/// extension's QueueMessage binding data), as many in flight as host.json's queue batchSize + newBatchThreshold allow.
/// The worker downloads, decodes, classifies (color-tiny: inference ~0) and writes rows to a private Azurite, as in
/// production. Its user + system CPU is read from /proc; the stand-in's (this process) and Azurite's are excluded, as
/// the host's queue polling and deletes are in the plumbing section's figures for the other hosts.
/// </summary>
internal static class IsolatedBench
{
    public const string Section = "isolated";

    /// <summary>The built Functions app; scripts/bench.sh builds it.</summary>
    public static string FunctionsDll => Path.Combine(RepoPaths.Root, "src", "CarClassifier.Functions", "bin", "Release", "net10.0", "CarClassifier.Functions.dll");

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        BenchSettings settings, BenchModel model, IReadOnlyList<PhotoClass> photos, Action<string> note, CancellationToken cancellationToken)
    {
        var azurite = AzuriteBench.AzuritePath;
        string? missing = !ProcessCpu.Supported ? "/proc (Linux)" : !File.Exists(azurite) ? azurite : !File.Exists(FunctionsDll) ? FunctionsDll : null;
        if (missing is not null)
        {
            note($"isolated section skipped: needs {missing} (dotnet build src/CarClassifier.Functions -c Release).");
            return [];
        }

        var results = new List<BenchResult>();
        var run = 0;
        foreach (var size in settings.PlumbingSizes)
        {
            var photoClass = size == PhotoSet.PlumbingOnlyClass ? PhotoSet.Small(photos) : photos.FirstOrDefault(p => p.Name == size)
                ?? throw new ArgumentException($"--plumbing-sizes: no photo class '{size}'.");
            var decodeOnly = PlumbingBench.DecodeOnlyCpuMs(photoClass, model);
            note($"isolated {size}: decode only {decodeOnly:F2} core-ms/image");
            // Ports apart from the plumbing section's, so both can run in one bench invocation.
            var port = settings.AzuritePort + 60 + (3 * run++);
            try
            {
                foreach (var result in await RunOnceAsync(settings, model, photoClass, decodeOnly, port, azurite, note, cancellationToken).ConfigureAwait(false))
                {
                    results.Add(result);
                    note($"isolated {size} {result.Variant}: {result.Stats.Median:F2} core-ms/invocation, load {Report.LoadAverage()}; by thread: " +
                        string.Join(", ", result.Extra.Where(kv => kv.Key.StartsWith("thread:", StringComparison.Ordinal)).Select(kv => $"{kv.Key[7..]} {kv.Value:F2}")));
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Azure.RequestFailedException or AggregateException or Grpc.Core.RpcException)
            {
                note($"isolated {size} FAILED: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
            }
        }

        return results;
    }

    private static async Task<IReadOnlyList<BenchResult>> RunOnceAsync(
        BenchSettings settings, BenchModel model, PhotoClass photoClass, double decodeOnly, int port, string azurite, Action<string> note, CancellationToken cancellationToken)
    {
        int blobPort = port, queuePort = port + 1, tablePort = port + 2;
        using var azuriteProcess = AzuriteBench.StartAzurite(azurite, blobPort, queuePort, tablePort);
        Process? worker = null;
        FunctionsHostStandIn? host = null;
        var output = new WorkerOutput();
        try
        {
            await AzuriteBench.WaitListeningAsync([blobPort, queuePort, tablePort], azuriteProcess, cancellationToken).ConfigureAwait(false);
            var connection = AzuriteBench.ConnectionString(blobPort, queuePort, tablePort);
            var storage = await AzuriteBench.OpenStorageAsync(connection, cancellationToken).ConfigureAwait(false);
            var container = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
            var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));

            var n = settings.PlumbingImages;
            var warm = settings.PlumbingWarmUp ?? Math.Clamp(n * 2, 16, 1600);
            var warmBlobs = await UploadAsync(container, photoClass, "warm", warm, cancellationToken).ConfigureAwait(false);
            var runBlobs = await UploadAsync(container, photoClass, "run", n, cancellationToken).ConfigureAwait(false);
            // The no-op reads no blob, so its claim checks need none; it is cheap, so it gets many more invocations (CPU
            // is read in 10 ms ticks).
            var noOpCount = Math.Max(NoOpMinimum, n * 10);
            var noOpClaims = ClaimChecks("noop", noOpCount + warm, runBlobs[0].Request);

            var appDirectory = Path.GetDirectoryName(FunctionsDll)!;
            var (batchSize, newBatchThreshold) = QueueConcurrency(Path.Combine(appDirectory, "host.json"));
            var workerId = Guid.NewGuid().ToString();
            var channel = new WorkerChannel(workerId, appDirectory, NoOpFunction.Metadata());
            host = await FunctionsHostStandIn.StartAsync(channel, cancellationToken).ConfigureAwait(false);
            var started = Stopwatch.StartNew();
            worker = StartWorker(host, workerId, appDirectory, model, connection, settings, output);
            IReadOnlyDictionary<string, string> functions;
            try
            {
                functions = await channel.Loaded.WaitAsync(TimeSpan.FromSeconds(180), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                throw new InvalidOperationException($"The worker did not load its functions ({ex.Message}); its output: {output}", ex);
            }

            var loadedSeconds = started.Elapsed.TotalSeconds;
            if (!functions.TryGetValue(PipelineNames.ClassifyFunction, out var classifyId))
            {
                throw new InvalidOperationException($"The worker did not index {PipelineNames.ClassifyFunction} (it reported {string.Join(", ", functions.Keys)}).");
            }

            var noOpId = functions[NoOpFunction.Name];
            note($"isolated: worker {worker.Id} loaded {string.Join(", ", functions.Keys)} in {loadedSeconds:F1} s; dispatch {batchSize} + {newBatchThreshold} (host.json queues batchSize + newBatchThreshold)");
            var run = new Run(channel, worker, output, batchSize, newBatchThreshold, settings, decodeOnly, loadedSeconds, warm);

            // Warm-up, uncounted, of both paths: JIT, connections, the model session; then wait for tiered compilation to go quiet.
            var warmOutcome = await DispatchAsync(channel, Requests(classifyId, warmBlobs), batchSize, newBatchThreshold, worker, cancellationToken).ConfigureAwait(false);
            if (warmOutcome.Failed > 0) throw new InvalidOperationException($"{warmOutcome.Failed} of {warm} warm-up invocations failed: {warmOutcome.FirstFailure}");
            var noOpWarm = await DispatchAsync(channel, NoOpRequests(noOpId, noOpClaims.Take(warm)), batchSize, newBatchThreshold, worker, cancellationToken).ConfigureAwait(false);
            if (noOpWarm.Failed > 0) throw new InvalidOperationException($"{noOpWarm.Failed} of {warm} no-op warm-up invocations failed: {noOpWarm.FirstFailure}");
            await PlumbingBench.WaitForJitToSettleAsync(worker.Id, cancellationToken).ConfigureAwait(false);

            var classify = await run.MeasureAsync(
                Requests(classifyId, runBlobs), $"{photoClass.Name}, {n} invocations", $"classify, isolated worker ({settings.PlumbingLabel})", cancellationToken).ConfigureAwait(false);
            var rows = new List<ClassificationResult>();
            await foreach (var row in results.ListAsync($"{PipelineNames.ImagesContainer}/run/", cancellationToken).ConfigureAwait(false)) rows.Add(row);
            var succeededRows = rows.Count(r => r.Status == nameof(ClassificationStatus.Succeeded));
            if (succeededRows != n) throw new InvalidOperationException($"{n} classify invocations succeeded but {succeededRows} Succeeded rows were written.");
            classify.Extra["rowsSucceeded"] = succeededRows;
            classify.Extra["batchSizeMean"] = rows.Average(r => r.BatchSize);
            classify.Extra["inferenceMsPerImage"] = rows.Average(r => r.InferenceMs / Math.Max(1, r.BatchSize));
            classify.Extra["outsideDecodeInferenceMs"] = classify.Extra["steadyMsPerInvocation"] - decodeOnly - classify.Extra["inferenceMsPerImage"];

            var noOp = await run.MeasureAsync(
                NoOpRequests(noOpId, noOpClaims.Skip(warm)), $"{photoClass.Name} claim checks, {noOpCount} invocations", $"no-op function, isolated worker ({settings.PlumbingLabel})", cancellationToken).ConfigureAwait(false);
            // The no-op never classifies: a row under its prefix would mean the worker ran the real pipeline for it.
            var noOpRows = 0;
            await foreach (var _ in results.ListAsync($"{PipelineNames.ImagesContainer}/noop/", cancellationToken).ConfigureAwait(false)) noOpRows++;
            if (noOpRows != 0) throw new InvalidOperationException($"The no-op function wrote {noOpRows} rows: it is not a no-op.");
            noOp.Extra["rowsSucceeded"] = 0;
            return [classify, noOp];
        }
        finally
        {
            if (worker is { HasExited: false }) worker.Kill(entireProcessTree: true);
            worker?.Dispose();
            if (host is not null) await host.DisposeAsync().ConfigureAwait(false);
            if (!azuriteProcess.HasExited) azuriteProcess.Kill(entireProcessTree: true);
        }
    }

    /// <summary>One worker's measured runs: CPU from /proc around a dispatch of N invocations, then its idle rate.</summary>
    private sealed record Run(
        WorkerChannel Channel, Process Worker, WorkerOutput Output, int BatchSize, int NewBatchThreshold, BenchSettings Settings, double DecodeOnly, double LoadedSeconds, int WarmUp)
    {
        public async Task<BenchResult> MeasureAsync(List<InvocationRequest> requests, string caseName, string variant, CancellationToken cancellationToken)
        {
            var n = requests.Count;
            var (loadBefore, logsBefore, linesBefore, before, watch) = (Report.LoadAverage(), Channel.Logs, Output.Lines, ProcessCpu.Read(Worker.Id), Stopwatch.StartNew());
            var standInBefore = ProcessCpu.Read(Environment.ProcessId).TotalMs;
            var outcome = await DispatchAsync(Channel, requests, BatchSize, NewBatchThreshold, Worker, cancellationToken).ConfigureAwait(false);
            var seconds = watch.Elapsed.TotalSeconds;
            var after = ProcessCpu.Read(Worker.Id);
            // This process over the same window: the stand-in's side of the hop (serialize, HTTP/2 frames, match the
            // response). A floor for the real host's share, which also runs the queue listener and its own pipeline.
            var standIn = ProcessCpu.Read(Environment.ProcessId).TotalMs - standInBefore;
            var logs = Channel.Logs - logsBefore;
            var lines = Output.Lines - linesBefore;
            if (outcome.Failed > 0)
            {
                throw new InvalidOperationException($"{outcome.Failed} of {n} invocations failed ({variant}): {outcome.FirstFailure}; worker: {string.Join(" | ", Channel.Warnings.Take(3))}");
            }

            // Idle rate after the run: what the worker burns with nothing to do (timers, telemetry export, gRPC keep-alive).
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var idle0 = ProcessCpu.Read(Worker.Id);
            var idleWatch = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(Settings.Quick ? 2 : 4), cancellationToken).ConfigureAwait(false);
            var idleRate = (ProcessCpu.Read(Worker.Id).TotalMs - idle0.TotalMs) / idleWatch.Elapsed.TotalSeconds;

            var perInvocation = (after.TotalMs - before.TotalMs) / n;
            var result = new BenchResult(Section, caseName, variant, "worker core-ms/invocation", new Stats(perInvocation, perInvocation, perInvocation, 1))
            {
                Extra =
                {
                    ["invocations"] = n,
                    ["warmUpInvocations"] = WarmUp,
                    ["workerCpuMsPerInvocation"] = perInvocation,
                    ["standInHostCpuMsPerInvocation"] = standIn / n,
                    ["idleCpuMsPerSecond"] = idleRate,
                    ["backgroundMsPerInvocation"] = idleRate * seconds / n,
                    ["wallSeconds"] = seconds,
                    ["invocationsPerSecondWall"] = n / seconds,
                    ["maxInFlight"] = BatchSize + NewBatchThreshold,
                    ["decodeOnlyCpuMs"] = DecodeOnly,
                    ["rpcLogsPerInvocation"] = logs / (double)n,
                    ["workerStdoutLinesPerInvocation"] = lines / (double)n,
                    ["startToLoadedSeconds"] = LoadedSeconds,
                    ["loadAverage1mBefore"] = double.Parse(loadBefore.Split(' ')[0], CultureInfo.InvariantCulture),
                    ["loadAverage1mAfter"] = double.Parse(Report.LoadAverage().Split(' ')[0], CultureInfo.InvariantCulture),
                },
            };
            foreach (var (name, ms) in ProcessCpu.ByThreadName(before, after).OrderByDescending(kv => kv.Value))
            {
                result.Extra[$"thread:{name}"] = ms / n;
            }

            result.Extra["jitMsPerInvocation"] = result.Extra.GetValueOrDefault($"thread:{ProcessCpu.JitGroup}");
            result.Extra["steadyMsPerInvocation"] = perInvocation - result.Extra["jitMsPerInvocation"];
            return result;
        }
    }


    /// <summary>
    /// The worker process as the host starts it: the app's worker.config.json names <c>dotnet</c> and the app's dll, and
    /// the host appends the connection arguments, both the old names and the <c>--functions-</c> ones
    /// (azure-functions-host src/WebJobs.Script/Workers/Rpc/RpcWorkerContext.cs, GetFormattedArguments; the maximum
    /// message length is RpcWorkerConstants.DefaultMaxMessageLengthBytes, int.MaxValue), in the app's directory, with
    /// the app settings as environment variables.
    /// </summary>
    private static Process StartWorker(FunctionsHostStandIn host, string workerId, string appDirectory, BenchModel model, string connection, BenchSettings settings, WorkerOutput output)
    {
        var requestId = Guid.NewGuid().ToString();
        var max = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                FunctionsDll,
                "--host", "127.0.0.1", "--port", host.Port.ToString(CultureInfo.InvariantCulture),
                "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", max,
                "--functions-uri", host.Uri.AbsoluteUri, "--functions-worker-id", workerId,
                "--functions-request-id", requestId, "--functions-grpc-max-message-length", max,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = appDirectory,
        };
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment[PipelineNames.StorageConnection] = connection;
        start.Environment["Classifier__ModelManifest"] = model.ManifestPath;
        start.Environment["Classifier__ModelCacheDirectory"] = RepoPaths.Resolve(settings.ModelCache);
        start.Environment["Classifier__AllowModelDownload"] = "false";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["NO_COLOR"] = "1";
        return HostProcess.Start(start, settings, profiled: false, output.Add, "the Functions worker");
    }

    /// <summary>host.json's extensions.queues batchSize and newBatchThreshold (the Storage Queues defaults, 16 and 8, when absent).</summary>
    private static (int BatchSize, int NewBatchThreshold) QueueConcurrency(string hostJson)
    {
        var queues = JsonNode.Parse(File.ReadAllText(hostJson))?["extensions"]?["queues"];
        var batch = queues?["batchSize"]?.GetValue<int>() ?? 16;
        return (batch, queues?["newBatchThreshold"]?.GetValue<int>() ?? batch / 2);
    }

    private static async Task<IReadOnlyList<(string Name, ClassifyRequest Request)>> UploadAsync(
        BlobContainerClient container, PhotoClass photoClass, string prefix, int count, CancellationToken cancellationToken)
    {
        var files = photoClass.Files;
        var blobs = new (string, ClassifyRequest)[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var name = $"{prefix}/{i:D5}.jpg";
            var bytes = files[i % files.Count].Bytes;
            var info = await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes), ct).ConfigureAwait(false);
            // The claim check ImageIngestor enqueues for this blob.
            blobs[i] = (name, new ClassifyRequest
            {
                Container = PipelineNames.ImagesContainer,
                BlobName = name,
                ETag = info.Value.ETag.ToString(),
                SizeBytes = bytes.Length,
                EnqueuedAt = DateTimeOffset.UtcNow,
                CorrelationId = Guid.NewGuid().ToString("N"),
            });
        }).ConfigureAwait(false);
        return blobs;
    }

    /// <summary>Invocations of the no-op at least (a few seconds of worker CPU, so the 10 ms ticks of /proc do not matter).</summary>
    private const int NoOpMinimum = 10_000;

    /// <summary>Claim checks like <paramref name="like"/> for blobs that were never uploaded (the no-op does not read them).</summary>
    private static List<(string Name, ClassifyRequest Request)> ClaimChecks(string prefix, int count, ClassifyRequest like) =>
        [.. Enumerable.Range(0, count).Select(i => ($"{prefix}/{i:D5}.jpg", new ClassifyRequest
        {
            Container = like.Container,
            BlobName = $"{prefix}/{i:D5}.jpg",
            ETag = like.ETag,
            SizeBytes = like.SizeBytes,
            EnqueuedAt = DateTimeOffset.UtcNow,
            CorrelationId = Guid.NewGuid().ToString("N"),
        }))];

    /// <summary>Built before the measured window: the stand-in's own work is not what is measured.</summary>
    private static List<InvocationRequest> Requests(string functionId, IEnumerable<(string Name, ClassifyRequest Request)> blobs) =>
        [.. blobs.Select(b => QueueTriggerInvocation.Create(functionId, ClassifyParameter, b.Request.ToJson()))];

    /// <summary>The same claim checks to the no-op function, as the host sends a queue message to a string parameter.</summary>
    private static List<InvocationRequest> NoOpRequests(string functionId, IEnumerable<(string Name, ClassifyRequest Request)> blobs) =>
        [.. blobs.Select(b => QueueTriggerInvocation.Create(functionId, NoOpFunction.ParameterName, b.Request.ToJson(), asString: true))];

    /// <summary>ClassifyImages' trigger parameter (the binding name in the worker's metadata).</summary>
    private const string ClassifyParameter = "message";

    private sealed record Outcome(int Succeeded, int Failed, string? FirstFailure);

    /// <summary>
    /// Sends the invocations the way the host's queue listener feeds them: a batch of <paramref name="batchSize"/>
    /// messages, the next batch as soon as no more than <paramref name="newBatchThreshold"/> are still running
    /// (Microsoft.Azure.WebJobs.Extensions.Storage.Queues QueueListener), so up to their sum are in flight.
    /// </summary>
    private static async Task<Outcome> DispatchAsync(
        WorkerChannel channel, IReadOnlyList<InvocationRequest> requests, int batchSize, int newBatchThreshold, Process worker, CancellationToken cancellationToken)
    {
        var inFlight = 0;
        using var completed = new SemaphoreSlim(0);
        var tasks = new List<Task<InvocationResponse>>(requests.Count);
        var next = 0;
        while (next < requests.Count)
        {
            if (worker.HasExited) throw new InvalidOperationException($"The Functions worker exited with code {worker.ExitCode}.");
            if (Volatile.Read(ref inFlight) <= newBatchThreshold)
            {
                for (var take = Math.Min(batchSize, requests.Count - next); take > 0; take--)
                {
                    Interlocked.Increment(ref inFlight);
                    var task = channel.InvokeAsync(requests[next++]);
                    tasks.Add(task);
                    _ = task.ContinueWith(
                        _ =>
                        {
                            Interlocked.Decrement(ref inFlight);
                            completed.Release();
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
            }
            else
            {
                await completed.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            }
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(120 + requests.Count), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException)
        {
            throw new TimeoutException($"{tasks.Count(t => !t.IsCompleted)} of {tasks.Count} invocations got no response in time.", ex);
        }

        var responses = tasks.Select(t => t.Result).ToList();
        var failed = responses.Where(r => r.Result?.Status != StatusResult.Types.Status.Success).ToList();
        return new Outcome(responses.Count - failed.Count, failed.Count, failed.FirstOrDefault()?.Result?.Exception?.Message);
    }

    /// <summary>The worker's console output (kept for the error message when it fails to start).</summary>
    private sealed class WorkerOutput
    {
        private readonly object _gate = new();
        private readonly Queue<string> _tail = new();
        private long _lines;

        public long Lines => Interlocked.Read(ref _lines);

        public void Add(string? line)
        {
            if (line is null) return;
            Interlocked.Increment(ref _lines);
            lock (_gate)
            {
                _tail.Enqueue(line);
                if (_tail.Count > 20) _tail.Dequeue();
            }
        }

        public override string ToString()
        {
            lock (_gate) return string.Join(" | ", _tail);
        }
    }
}
