using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using Azure.Core;
using Azure.Core.Diagnostics;
using Azure.Data.Tables;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.Bench;

/// <summary>
/// Call by call: the CPU this process spends on each storage call the pipeline makes per image, one call at a time
/// against a private in-memory Azurite (its CPU is not counted), with the clients <see cref="StorageClientFactory"/>
/// builds. Variants: the SDK's default diagnostics (per-request logging and tracing on) alone; the same with an Azure
/// SDK event listener at Verbose attached, which is what both hosts do (their storage extensions forward every Azure
/// SDK event to ILogger through Microsoft.Extensions.Azure's AzureEventSourceLogForwarder); and the production
/// options (<see cref="StorageClientFactory.ApplyDiagnostics"/>) under that same listener.
/// </summary>
internal static class StorageCallBench
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        BenchSettings settings, IReadOnlyList<PhotoClass> photos, Action<string> note, CancellationToken cancellationToken)
    {
        var azurite = AzuriteBench.AzuritePath;
        if (!File.Exists(azurite) || !ProcessCpu.Supported)
        {
            note("calls section skipped: needs Azurite (scripts/azurite.sh install) and /proc.");
            return [];
        }

        int blobPort = settings.AzuritePort + 50, queuePort = blobPort + 1, tablePort = blobPort + 2;
        using var process = AzuriteBench.StartAzurite(azurite, blobPort, queuePort, tablePort);
        try
        {
            await AzuriteBench.WaitListeningAsync([blobPort, queuePort, tablePort], process, cancellationToken).ConfigureAwait(false);
            var connection = AzuriteBench.ConnectionString(blobPort, queuePort, tablePort);
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = connection }).Build();
            await StorageBootstrapper.EnsureAsync(new StorageClientFactory(config), cancellationToken).ConfigureAwait(false);
            var results = new List<BenchResult>();
            var storage = new StorageClientFactory(config);
            foreach (var (variant, forwarder, configure) in new (string, bool, Action<ClientOptions>?)[]
            {
                // A throwaway pass first: JIT and tiering of every call path, so the first reported variant is not penalised.
                ("warm-up", true, SdkDefault),
                ("SDK default diagnostics, no listener", false, SdkDefault),
                ("SDK default diagnostics + WebJobs event forwarder", true, SdkDefault),
                ("production options + WebJobs event forwarder", true, null),
            })
            {
                using var listener = forwarder ? new AzureEventSourceListener((_, _) => { }, EventLevel.Verbose) : null;
                var measured = await MeasureAsync(settings, storage, configure, variant, photos, note, cancellationToken).ConfigureAwait(false);
                if (variant != "warm-up") results.AddRange(measured);
            }

            return results;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>What a ClientOptions has before anyone changes it (and what the clients had before this bench existed).</summary>
    private static void SdkDefault(ClientOptions options)
    {
        options.Diagnostics.IsLoggingEnabled = true;
        options.Diagnostics.IsDistributedTracingEnabled = true;
    }

    private static async Task<IEnumerable<BenchResult>> MeasureAsync(
        BenchSettings settings, StorageClientFactory storage, Action<ClientOptions>? configure, string variant,
        IReadOnlyList<PhotoClass> photos, Action<string> note, CancellationToken cancellationToken)
    {
        var n = settings.CallCount;
        var queue = storage.CreateQueueClient(PipelineNames.WorkQueue, configure);
        var blobs = storage.CreateBlobServiceClient(configure).GetBlobContainerClient(PipelineNames.ImagesContainer);
        var table = storage.CreateTableClient(PipelineNames.ResultsTable, configure);
        var results = new List<BenchResult>();
        var photo = photos.First(p => p.Name == "640x480").Files[0].Bytes;
        var blob = blobs.GetBlobClient("calls/photo.jpg");
        await blob.UploadAsync(BinaryData.FromBytes(photo), overwrite: true, cancellationToken).ConfigureAwait(false);
        await queue.ClearMessagesAsync(cancellationToken).ConfigureAwait(false);

        var request = new ClassifyRequest
        {
            Container = PipelineNames.ImagesContainer,
            BlobName = "calls/photo.jpg",
            ETag = "\"0x8DD0000000000000\"",
            SizeBytes = photo.Length,
            EnqueuedAt = DateTimeOffset.UtcNow,
            CorrelationId = Guid.NewGuid().ToString("N"),
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        }.ToJson();

        async Task<BenchResult> Time(string call, int perRound, int rounds, Func<int, Task> body)
        {
            for (var i = 0; i < 10; i++) await body(rounds + i).ConfigureAwait(false);
            var before = ProcessCpu.Read(Environment.ProcessId).TotalMs;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < rounds; i++) await body(i).ConfigureAwait(false);
            var cpu = (ProcessCpu.Read(Environment.ProcessId).TotalMs - before) / (rounds * perRound);
            var wall = watch.Elapsed.TotalMilliseconds / (rounds * perRound);
            note($"calls [{variant}] {call}: {cpu:F3} core-ms, {wall:F2} ms wall per item");
            return new BenchResult("calls", call, variant, "core-ms/item", new Stats(cpu, cpu, cpu, 1)) { Extra = { ["wallMsPerItem"] = wall, ["items"] = rounds * perRound } };
        }

        results.Add(await Time("queue: send claim check", 1, n, _ => queue.SendMessageAsync(request, cancellationToken)).ConfigureAwait(false));
        // Enough messages for every receive round below (the sends above, plus top-up).
        var rounds32 = Math.Max(2, n / 32);
        for (var i = 0; i < ((rounds32 + 10) * 32) - n - 10; i++) await queue.SendMessageAsync(request, cancellationToken).ConfigureAwait(false);
        var received = new List<Azure.Storage.Queues.Models.QueueMessage>();
        results.Add(await Time("queue: receive 32 (per message)", 32, rounds32, async _ =>
        {
            var page = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            received.AddRange(page.Value);
        }).ConfigureAwait(false));
        results.Add(await Time("queue: delete message", 1, Math.Min(n, received.Count - 10), i =>
            queue.DeleteMessageAsync(received[i].MessageId, received[i].PopReceipt, cancellationToken)).ConfigureAwait(false));
        results.Add(await Time("blob: get properties", 1, n, _ => blob.GetPropertiesAsync(cancellationToken: cancellationToken)).ConfigureAwait(false));
        results.Add(await Time($"blob: download {photo.Length / 1024} KiB into a pooled buffer", 1, n, async _ =>
        {
            var response = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using var download = response.Value;
            var length = (int)download.Details.ContentLength;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            var read = 0;
            while (read < length)
            {
                var got = await download.Content.ReadAsync(buffer.AsMemory(read, length - read), cancellationToken).ConfigureAwait(false);
                if (got == 0) break;
                read += got;
            }

            ArrayPool<byte>.Shared.Return(buffer);
        }).ConfigureAwait(false));

        ClassificationResult Row(int i, string prefix) => new()
        {
            BlobPath = $"images/{prefix}/{i:D6}.jpg",
            BlobETag = "\"0x8DD0000000000000\"",
            BlobSizeBytes = photo.Length,
            Label = "red",
            Probability = 0.93,
            TopK = """[{"index":0,"label":"red","probability":0.93},{"index":1,"label":"orange","probability":0.04}]""",
            Model = "color-tiny@1#4ce41b50fc4d",
            BatchSize = 16,
            QueueWaitMs = 120.5,
            DecodeMs = 2.2,
            InferenceMs = 0.4,
            ProcessedAt = DateTimeOffset.UtcNow,
            CorrelationId = Guid.NewGuid().ToString("N"),
            DequeueCount = 1,
        };

        results.Add(await Time("table: upsert one row", 1, n, i =>
        {
            var row = Row(i, "single");
            (row.PartitionKey, row.RowKey) = ResultKeys.For(row.BlobPath);
            return table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        }).ConfigureAwait(false));
        // Ingest's check before it enqueues (a row for this blob's ETag and model already there?): a point read through
        // the same ResultStore call. Usually the blob is new and the read finds nothing (404, which the SDK's
        // GetEntityIfExists turns into an empty response); on a reconciler re-ingest it finds the row.
        var store = new ResultStore(table);
        results.Add(await Time("table: point read, no row yet (ingest's check, new blob)", 1, n, i =>
            store.GetAsync($"images/missing/{i:D6}.jpg", cancellationToken)).ConfigureAwait(false));
        results.Add(await Time("table: point read of an existing row (ingest's check, re-ingest)", 1, n, i =>
            store.GetAsync($"images/single/{i:D6}.jpg", cancellationToken)).ConfigureAwait(false));
        results.Add(await Time("table: entity-group transaction of 32 upserts (per row)", 32, rounds32, round =>
        {
            var actions = Enumerable.Range(0, 32).Select(i =>
            {
                var row = Row((round * 32) + i, "batch");
                row.PartitionKey = "p";
                row.RowKey = ResultKeys.For(row.BlobPath).RowKey;
                return new TableTransactionAction(TableTransactionActionType.UpsertReplace, row);
            });
            return table.SubmitTransactionAsync(actions, cancellationToken);
        }).ConfigureAwait(false));
        return results;
    }
}
