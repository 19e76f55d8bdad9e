using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Ingest;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CarClassifier.Bench;

/// <summary>
/// The local host end to end, ingest included (issue 24): <c>carclass host --model color-tiny</c> as a user starts it
/// (both functions, the reconciler at its defaults), every photo in the container before it starts. Modes:
/// <c>host</c>, the photos uploaded by another means (a plain SDK upload: the WebJobs blob trigger ingests them), and
/// <c>host-claimed</c>, the photos uploaded as <c>carclass upload</c> does against the emulator (each claimed by
/// <see cref="UploadClaims"/>: receipt, then claim check; that CPU is this process's and reported beside). The host's
/// CPU (its /proc stat: Azurite's and this process's excluded) is read when it prints that it listens and when the
/// last row exists. Two runs, N and N/9 images; the marginal cost per image is (CPU(N) - CPU(N/9)) / (N - N/9), so
/// start-up, the first sweep's JIT and fixed per-run costs cancel. CPU time, not wall time: the machine is shared.
/// </summary>
internal static partial class LocalHostBench
{
    public static readonly string[] Modes = ["host", "host-claimed"];

    public static async Task<BenchResult> RunAsync(
        BenchSettings settings, BenchModel model, PhotoClass photoClass, string mode, double decodeOnly, Func<int> nextPort, string azurite, string cli,
        Action<string> note, CancellationToken cancellationToken)
    {
        var large = settings.PlumbingImages;
        var small = Math.Max(10, large / 9);
        var a = await RunOnceAsync(settings, model, photoClass, mode, small, nextPort(), azurite, cli, cancellationToken).ConfigureAwait(false);
        note($"plumbing {photoClass.Name} {mode} {small} images: host {a.HostMs:F0} core-ms after listening ({a.HostMs / small:F2}/image), reconciler ingested {a.ReconcilerIngested}");
        var b = await RunOnceAsync(settings, model, photoClass, mode, large, nextPort(), azurite, cli, cancellationToken).ConfigureAwait(false);
        note($"plumbing {photoClass.Name} {mode} {large} images: host {b.HostMs:F0} core-ms after listening ({b.HostMs / large:F2}/image), reconciler ingested {b.ReconcilerIngested}");
        var marginal = (b.HostMs - a.HostMs) / (large - small);
        note($"plumbing {photoClass.Name} {mode}: marginal by thread: " + string.Join(", ", b.Threads.OrderByDescending(kv => kv.Value)
            .Select(kv => $"{kv.Key} {(kv.Value - a.Threads.GetValueOrDefault(kv.Key)) / (large - small):F2}")));
        note($"plumbing {photoClass.Name} {mode}: marginal {marginal:F2} host core-ms/image ({settings.PlumbingLabel}), load {Report.LoadAverage()}");
        var result = new BenchResult("plumbing", $"{photoClass.Name}, {small} and {large} images", $"{mode} end to end ({settings.PlumbingLabel})", "host core-ms/image (marginal)", new Stats(marginal, marginal, marginal, 1))
        {
            Extra =
            {
                ["images"] = large,
                ["smallImages"] = small,
                ["hostCpuMsLarge"] = b.HostMs,
                ["hostCpuMsSmall"] = a.HostMs,
                ["hostCpuMsPerImageLarge"] = b.HostMs / large,
                ["startupCpuMsLarge"] = b.StartupMs,
                ["uploaderClaimCpuMsPerImage"] = b.ClaimMsPerImage,
                ["marginalIncludingUploaderClaim"] = marginal + b.ClaimMsPerImage,
                ["decodeOnlyCpuMs"] = decodeOnly,
                ["reconcilerIngestedLarge"] = b.ReconcilerIngested,
                ["reconcilerStrandedLarge"] = b.ReconcilerStranded,
                ["reconcilerLinesLarge"] = b.ReconcilerLines,
                ["warningLinesLarge"] = b.WarningLines,
                ["rowsLarge"] = b.Rows,
                ["wallSecondsLarge"] = b.WallSeconds,
                ["loadAverage1mAfter"] = double.Parse(Report.LoadAverage().Split(' ')[0], CultureInfo.InvariantCulture),
            },
        };
        foreach (var (name, ms) in b.Threads) result.Extra[$"thread:{name}"] = (ms - a.Threads.GetValueOrDefault(name)) / (large - small);
        return result;
    }

    private sealed record Run(double HostMs, double StartupMs, double ClaimMsPerImage, int ReconcilerIngested, int ReconcilerStranded, int ReconcilerLines, int WarningLines, int Rows, double WallSeconds)
    {
        public Dictionary<string, double> Threads { get; init; } = [];
    }

    private static async Task<Run> RunOnceAsync(
        BenchSettings settings, BenchModel model, PhotoClass photoClass, string mode, int n, int port, string azurite, string cli, CancellationToken cancellationToken)
    {
        int blobPort = port, queuePort = port + 1, tablePort = port + 2;
        using var azuriteProcess = AzuriteBench.StartAzurite(azurite, blobPort, queuePort, tablePort);
        Process? host = null;
        try
        {
            await AzuriteBench.WaitListeningAsync([blobPort, queuePort, tablePort], azuriteProcess, cancellationToken).ConfigureAwait(false);
            var connection = AzuriteBench.ConnectionString(blobPort, queuePort, tablePort);
            var storage = await AzuriteBench.OpenStorageAsync(connection, cancellationToken).ConfigureAwait(false);
            var blobs = storage.CreateBlobServiceClient();
            var container = blobs.GetBlobContainerClient(PipelineNames.ImagesContainer);
            var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
            var etags = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
            await PlumbingBench.UploadAsync(container, photoClass, "run", n, etags, cancellationToken).ConfigureAwait(false);

            var claimMs = 0.0;
            if (mode == "host-claimed")
            {
                // What carclass upload adds per uploaded image against the emulator: the receipt and the claim check.
                var ingestor = new ImageIngestor(
                    new WorkQueue(storage.CreateQueueClient(PipelineNames.WorkQueue)), results, blobs, Options.Create(new ClassifierOptions()), TimeProvider.System, NullLogger<ImageIngestor>.Instance);
                var claims = new UploadClaims(ingestor, blobs);
                var files = photoClass.Files;
                var before = ProcessCpu.Read(Environment.ProcessId).TotalMs;
                await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
                {
                    var name = $"run/{i:D5}.jpg";
                    await claims.ClaimAsync(PipelineNames.ImagesContainer, name, etags[name], files[i % files.Count].Bytes.Length, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
                claimMs = (ProcessCpu.Read(Environment.ProcessId).TotalMs - before) / n;
            }

            using var output = new PlumbingBench.OutputCounter(settings.HostLogFolder is null ? null
                : Path.Combine(settings.HostLogFolder, $"host-{settings.PlumbingLabel}-{photoClass.Name}-{mode}-{n}.log"));
            var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
            host = StartHost(cli, model, connection, settings, line =>
            {
                output.Add(line);
                if (line is not null) lines.Enqueue(line);
            });
            await output.WaitForAsync("Listening on container", host, TimeSpan.FromSeconds(180), cancellationToken).ConfigureAwait(false);
            var listening = ProcessCpu.Read(host.Id);
            var startup = listening.TotalMs;
            var watch = Stopwatch.StartNew();
            using var profile = n == settings.PlumbingImages ? SamplingProfile.Start(settings.ProfileFolder, $"{settings.PlumbingLabel}-{photoClass.Name}-{mode}", host.Id) : null;
            var rows = await WaitForRowsAsync(results, n, host, cancellationToken).ConfigureAwait(false);
            profile?.Stop();
            var done = ProcessCpu.Read(host.Id);
            var end = done.TotalMs;
            var all = lines.ToArray();
            var sweeps = all.Select(l => Sweep().Match(l)).Where(m => m.Success).ToList();
            return new Run(
                end - startup,
                startup,
                claimMs,
                sweeps.Sum(m => int.Parse(m.Groups["missed"].Value, CultureInfo.InvariantCulture)),
                sweeps.Sum(m => int.Parse(m.Groups["stranded"].Value, CultureInfo.InvariantCulture)),
                all.Count(l => l.Contains("Reconciler", StringComparison.Ordinal)),
                all.Count(l => l.StartsWith("warn", StringComparison.Ordinal)),
                rows,
                watch.Elapsed.TotalSeconds)
            {
                Threads = ProcessCpu.ByThreadName(listening, done),
            };
        }
        finally
        {
            if (host is { HasExited: false }) host.Kill(entireProcessTree: true);
            host?.Dispose();
            if (!azuriteProcess.HasExited) azuriteProcess.Kill(entireProcessTree: true);
        }
    }

    private static Process StartHost(string cli, BenchModel model, string connection, BenchSettings settings, Action<string?> onLine)
    {
        var start = HostProcess.LocalHost(cli, model, connection, settings);
        return HostProcess.Start(start, settings, profiled: settings.ProfileFolder is not null, onLine, "carclass host");
    }

    private static async Task<int> WaitForRowsAsync(ResultStore results, int count, Process host, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(180 + (count * 2));
        while (DateTime.UtcNow < deadline)
        {
            if (host.HasExited) throw new InvalidOperationException($"carclass host exited with code {host.ExitCode}.");
            var done = 0;
            await foreach (var _ in results.ListAsync($"{PipelineNames.ImagesContainer}/run/", cancellationToken).ConfigureAwait(false)) done++;
            if (done >= count) return done;
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"The host did not give {count} images a row in time.");
    }

    [GeneratedRegex(@"Reconciler sweep: \d+ blobs listed; ingested (?<missed>\d+) the blob trigger missed and (?<stranded>\d+) stranded")]
    private static partial Regex Sweep();
}
