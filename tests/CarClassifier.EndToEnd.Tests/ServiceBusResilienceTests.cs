using Azure.Core.Pipeline;
using Azure.Messaging.ServiceBus;
using CarClassifier.Core;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using CarClassifier.TestBroker;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The Service Bus worker against what the real service does to it, reproduced by the strict test broker: a connection
/// drop mid-batch (settlement refused once the receive link is gone), throttling (server-busy), a batch that hangs, and
/// a dead-letter backlog of thousands dead-lettered out of sequence order. In each, every blob ends with exactly one
/// correct row and nothing stays locked. Polling and counts only; no wall-clock asserts.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ServiceBusResilienceTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly TimeSpan RowTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// SDK TROUBLESHOOTING.md ("Message lock lost") and azure-sdk-for-net#28025/#37676: after the link drops, renewals
    /// succeed and settlement fails; the batch comes back with DeliveryCount + 1 and its rows are upserted again.
    /// </summary>
    [Fact]
    public async Task ConnectionDrop_MidBatch_SettlementFails_BatchReturnsOneDeliveryLater_AndEachBlobHasOneRightRow()
    {
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(5), DuplicateDetectionWindow = TimeSpan.FromMinutes(10) },
            new Dictionary<string, string?> { ["Classifier:MaxBatchDelayMilliseconds"] = "3000" });
        var (prefix, expected) = await UploadColoursAsync(pipeline, "sb-drop", "red", "green", "blue");
        await pipeline.StartAsync(withWorker: false);
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.Count == expected.Count, "all claim checks on the queue");
        await pipeline.StartWorkerAsync();
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.LockedCount == expected.Count, "the worker holding the batch");

        pipeline.Broker.DisconnectAll();

        await pipeline.Ingest.WaitForRowsAsync(expected.Keys, RowTimeout, r => r.DequeueCount >= 2);
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.Count == 0 && pipeline.Queue.LockedCount == 0, "every message completed");
        await AssertOneRightRowEachAsync(pipeline, prefix, expected, dequeueCount: 2);
        Assert.Equal(2 * expected.Count, pipeline.Queue.Deliveries); // The blip cost exactly one delivery each.
        Assert.Equal(0, pipeline.Queue.DeadLetterQueue!.Count);
    }

    /// <summary>
    /// "Throttling operations on Azure Service Bus": while the namespace is busy, receives get nothing and renewals and
    /// peeks fail with server-busy; the worker keeps going and no delivery is burnt.
    /// </summary>
    [Fact]
    public async Task Throttling_BeforeAndDuringABatch_WorkerRidesItOut_NoDeliveryLost()
    {
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            extra: new Dictionary<string, string?> { ["Classifier:MaxBatchDelayMilliseconds"] = "3000" });
        var (prefix, expected) = await UploadColoursAsync(pipeline, "sb-throttle", "red", "green", "blue");
        await pipeline.StartAsync(withWorker: false);
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.Count == expected.Count, "all claim checks on the queue");

        // Busy before the worker starts: its receives get nothing, the dead-letter scan's peeks are refused.
        pipeline.Broker.Faults.ServerBusy = true;
        await pipeline.StartWorkerAsync();
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Broker.Faults.Throttled >= 1, "a request refused with server-busy");
        Assert.Equal(0, pipeline.Queue.Deliveries);
        pipeline.Broker.Faults.ServerBusy = false;

        // Busy again while it holds the batch: its lock renewals (every second here) are refused.
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.LockedCount == expected.Count, "the worker holding the batch");
        var before = pipeline.Broker.Faults.Throttled;
        pipeline.Broker.Faults.ServerBusy = true;
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Broker.Faults.Throttled > before, "a renewal refused with server-busy");
        pipeline.Broker.Faults.ServerBusy = false;

        await pipeline.Ingest.WaitForRowsAsync(expected.Keys, RowTimeout);
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.Count == 0 && pipeline.Queue.LockedCount == 0, "every message completed");
        await AssertOneRightRowEachAsync(pipeline, prefix, expected, dequeueCount: 1);
        Assert.Equal(expected.Count, pipeline.Queue.Deliveries);
    }

    /// <summary>
    /// A batch that hangs (a download that never returns and ignores cancellation) stops renewing after
    /// MaxLockRenewalSeconds (as the SDK processor's MaxAutoLockRenewalDuration does) and hands its stuck messages back:
    /// one that hangs once succeeds on its next delivery; one that always hangs runs out of deliveries and is
    /// dead-lettered, its blob left with a Poisoned row. Nothing stays locked.
    /// </summary>
    [Fact]
    public async Task HungBatch_IsGivenUpAfterTheRenewalCap_StuckMessagesRedelivered_OrDeadLettered_NothingLockedForEver()
    {
        var hang = new HangingDownloads(new Dictionary<string, int> { ["hangs-once.png"] = 1, ["hangs-always.png"] = int.MaxValue });
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(5), MaxDeliveryCount = 3, DuplicateDetectionWindow = TimeSpan.FromMinutes(10) },
            new Dictionary<string, string?>
            {
                ["Classifier:ServiceBus:MaxLockRenewalSeconds"] = "2",
                ["Classifier:MaxBatchDelayMilliseconds"] = "100",
            });
        var prefix = $"sb-hang-{Guid.NewGuid():N}/";
        var paths = new Dictionary<string, string>();
        foreach (var (name, colour) in new[] { ("hangs-once.png", "red"), ("hangs-always.png", "blue"), ("fine.png", "green") })
        {
            await pipeline.Ingest.Images.GetBlobClient(prefix + name).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(TestImages.Colours[colour])));
            paths[name] = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + name);
        }

        await pipeline.StartAsync(withWorker: false);
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.Count == 3, "all claim checks on the queue");
        await pipeline.StartWorkerAsync(services => services.AddSingleton<HttpPipelinePolicy>(hang));

        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.DeadLetterQueue!.Count == 1, "the always-hanging claim check dead-lettered");
        var rows = await pipeline.Ingest.WaitForRowsAsync(paths.Values, RowTimeout, r => r.Status == nameof(ClassificationStatus.Succeeded) || r.ErrorKind == DeadLetterRecorder.PoisonedKind);
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.Count == 0 && pipeline.Queue.LockedCount == 0, "nothing left locked");

        Assert.Equal("red", rows[paths["hangs-once.png"]].Label);
        Assert.Equal(2, rows[paths["hangs-once.png"]].DequeueCount);
        Assert.Equal("green", rows[paths["fine.png"]].Label);
        var poisoned = rows[paths["hangs-always.png"]];
        Assert.Equal(nameof(ClassificationStatus.Failed), poisoned.Status);
        Assert.Equal(DeadLetterRecorder.PoisonedKind, poisoned.ErrorKind);
        Assert.Equal(ServiceBusWire(), Assert.Single(pipeline.Queue.DeadLetterQueue!.Snapshot()).DeadLetterReason);
        Assert.True(pipeline.Worker.BatchesGivenUp >= 3, $"{pipeline.Worker.BatchesGivenUp} batches given up"); // 1 + 3 deliveries hung, some may share a batch.
        Assert.Equal(4, hang.Hung);
        Assert.Equal(3, (await pipeline.Ingest.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix))).Count);

        static string ServiceBusWire() => "MaxDeliveryCountExceeded";
    }

    /// <summary>
    /// A replica told to stop while a download hangs: after the grace (and 5 s for handlers to react) the worker abandons
    /// the stuck message itself, inside the host's shutdown timeout, so the next replica gets it at once.
    /// </summary>
    [Fact]
    public async Task HungBatch_OnShutdown_IsAbandonedWithinTheHostsShutdownTimeout()
    {
        var hang = new HangingDownloads(new Dictionary<string, int> { ["stuck.png"] = 1 });
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(60), DuplicateDetectionWindow = TimeSpan.FromMinutes(10) },
            new Dictionary<string, string?> { ["Classifier:ServiceBus:ShutdownGraceSeconds"] = "1", ["Classifier:MaxBatchDelayMilliseconds"] = "100" });
        var prefix = $"sb-hang-stop-{Guid.NewGuid():N}/";
        await pipeline.Ingest.Images.GetBlobClient(prefix + "stuck.png").UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(TestImages.Colours["red"])));
        await pipeline.StartAsync(withWorker: false);
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.Count == 1, "the claim check on the queue");
        await pipeline.StartWorkerAsync(services => services.AddSingleton<HttpPipelinePolicy>(hang));
        await ServiceBusPipelineTests.WaitUntilAsync(() => hang.Hung == 1 && pipeline.Queue.LockedCount == 1, "the download hanging");

        await pipeline.StopWorkerAsync();

        Assert.Equal(0, pipeline.Queue.LockedCount); // Abandoned, not left to its 60 s lock.
        Assert.Equal(1, pipeline.Queue.Count);
        await pipeline.StartWorkerAsync();
        var row = (await pipeline.Ingest.WaitForRowsAsync([ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + "stuck.png")], RowTimeout)).Values.Single();
        Assert.Equal("red", row.Label);
        Assert.Equal(2, row.DequeueCount);
    }

    /// <summary>A backlog of 300 in the default suite; <see cref="DeadLetterBacklog_OfThousands_Long"/> runs 3,000.</summary>
    [Fact]
    public Task DeadLetterBacklog_OutOfSequenceOrder_EveryBlobGetsItsPoisonedRow_ThenReplayInPagesLeavesOneRowEach() =>
        DeadLetterBacklogAsync(300);

    [Fact]
    [Trait("Category", "Long")]
    public Task DeadLetterBacklog_OfThousands_Long() => DeadLetterBacklogAsync(3000);

    /// <summary>
    /// Claim checks for <paramref name="count"/> blobs die in two waves: the upper half of the sequence numbers first
    /// (explicitly), the lower half later (abandoned on their last delivery, as the service dead-letters by max delivery
    /// count). A scan that trusted sequence order would never see the second wave. Then <c>poison replay</c> sends them all
    /// back, a page at a time, and the worker gives each blob its final row (the blobs were never uploaded: BlobNotFound).
    /// </summary>
    private async Task DeadLetterBacklogAsync(int count)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            new BrokerQueueOptions { MaxDeliveryCount = 1, LockDuration = TimeSpan.FromMinutes(5) },
            new Dictionary<string, string?> { ["Classifier:ServiceBus:DeadLetterRescanSeconds"] = "2" });
        var prefix = $"sb-backlog-{Guid.NewGuid():N}/";
        var requests = Enumerable.Range(0, count).Select(i => new ClassifyRequest
        {
            Container = PipelineNames.ImagesContainer,
            BlobName = $"{prefix}{i:D5}.jpg",
            ETag = "\"0x1\"",
            SizeBytes = 10,
            EnqueuedAt = DateTimeOffset.UtcNow,
            CorrelationId = $"backlog-{i}",
        }).ToList();
        var rowPrefix = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix);

        await using (var sender = pipeline.Client.CreateSender(PipelineNames.WorkQueue))
        {
            var queue = new Queue<ServiceBusMessage>(requests.Select(ClassifyMessages.ToMessage));
            while (queue.Count > 0)
            {
                using var batch = await sender.CreateMessageBatchAsync();
                while (queue.Count > 0 && batch.TryAddMessage(queue.Peek())) queue.Dequeue();
                await sender.SendMessagesAsync(batch);
            }
        }

        // Another consumer takes every message; the worker's recorder watches the dead-letter queue meanwhile.
        await using var other = pipeline.Client.CreateReceiver(PipelineNames.WorkQueue);
        var held = new List<ServiceBusReceivedMessage>();
        while (held.Count < count) held.AddRange(await other.ReceiveMessagesAsync(count - held.Count, TimeSpan.FromSeconds(5)));
        var ordered = held.OrderBy(m => m.SequenceNumber).ToList();
        foreach (var message in ordered.Skip(count / 2)) await other.DeadLetterMessageAsync(message, "Explicit", "upper half first");
        await pipeline.StartAsync();
        await WaitForRowsAsync(pipeline, rowPrefix, count / 2 + count % 2, r => r.ErrorKind == DeadLetterRecorder.PoisonedKind);
        foreach (var message in ordered.Take(count / 2)) await other.AbandonMessageAsync(message); // MaxDeliveryCountExceeded
        output.WriteLine($"{count}: dead-lettered in {watch.Elapsed.TotalSeconds:F1} s");

        var poisoned = await WaitForRowsAsync(pipeline, rowPrefix, count, r => r.ErrorKind == DeadLetterRecorder.PoisonedKind);
        output.WriteLine($"{count}: Poisoned rows after {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(count, poisoned.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(count, pipeline.Queue.DeadLetterQueue!.Count);

        var replayed = await pipeline.Ingest.Services.GetRequiredService<PoisonQueues>().ReplayAsync(m => m.BlobPath?.StartsWith(rowPrefix, StringComparison.Ordinal) == true);
        output.WriteLine($"{count}: replayed after {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(count, replayed.Count);
        Assert.Equal(0, pipeline.Queue.DeadLetterQueue!.Count); // Each completed as it went: none left behind, none replayed twice.

        var final = await WaitForRowsAsync(pipeline, rowPrefix, count, r => r.ErrorKind == "BlobNotFound");
        output.WriteLine($"{count}: final rows after {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(requests.Select(r => ResultKeys.BlobPath(r.Container, r.BlobName)).Order(StringComparer.Ordinal), final.Select(r => r.BlobPath).Order(StringComparer.Ordinal));
        await ServiceBusPipelineTests.WaitUntilAsync(() => pipeline.Queue.Count == 0 && pipeline.Queue.LockedCount == 0, "every replayed message completed");
        Assert.Equal(0, pipeline.Queue.DeadLetterQueue!.Count);
        Assert.Equal(0, pipeline.Queue.DuplicatesDropped);
    }

    private static async Task<List<ClassificationResult>> WaitForRowsAsync(ServiceBusPipeline pipeline, string prefix, int count, Func<ClassificationResult, bool> accept)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            var rows = await pipeline.Ingest.ListRowsAsync(prefix);
            var matching = rows.Where(accept).ToList();
            if (matching.Count >= count) return rows;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{matching.Count} of {count} rows under {prefix} as expected after 5 minutes.");
            await Task.Delay(500);
        }
    }

    private static async Task<(string Prefix, Dictionary<string, string> Expected)> UploadColoursAsync(ServiceBusPipeline pipeline, string name, params string[] colours)
    {
        var prefix = $"{name}-{Guid.NewGuid():N}/";
        var expected = new Dictionary<string, string>();
        foreach (var colour in colours)
        {
            var blobName = $"{prefix}{colour}.png";
            await pipeline.Ingest.Images.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(TestImages.Colours[colour])));
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName)] = colour;
        }

        return (prefix, expected);
    }

    private static async Task AssertOneRightRowEachAsync(ServiceBusPipeline pipeline, string prefix, Dictionary<string, string> expected, int dequeueCount)
    {
        var rows = await pipeline.Ingest.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), rows.Select(r => r.BlobPath).Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            Assert.Equal(nameof(ClassificationStatus.Succeeded), row.Status);
            Assert.Equal(expected[row.BlobPath], row.Label);
            Assert.Equal(dequeueCount, row.DequeueCount);
        }
    }
}
