using System.Diagnostics;
using CarClassifier.Core;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using CarClassifier.TestBroker;
using Microsoft.Extensions.DependencyInjection;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The end-to-end scenarios of <see cref="PipelineTests"/>, <see cref="CrashRecoveryTests"/> and the poison tests on the
/// Service Bus transport: blob upload → local host ingest → ServiceBusSender → test broker (real SDK over TCP) →
/// worker batch receive → batcher → ONNX Runtime (colour model) → results table on Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ServiceBusPipelineTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan RowTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task UploadedImages_OfKnownColour_GetExactRows_InBatches_AndACorruptNeighbourFailsAlone()
    {
        await using var pipeline = await ServiceBusPipeline.CreateAsync(azurite);
        var prefix = $"sb-colours-{Guid.NewGuid():N}/";
        var expected = new Dictionary<string, string>();
        foreach (var (name, colour) in TestImages.Colours)
        {
            var blobName = $"{prefix}{name}.png";
            await pipeline.Ingest.Images.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(colour)));
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName)] = name;
        }

        var corruptName = $"{prefix}corrupt.jpg";
        await pipeline.Ingest.Images.GetBlobClient(corruptName).UploadAsync(BinaryData.FromBytes(TestImages.CorruptJpeg()));
        var corruptPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, corruptName);

        // Ingest first, so the worker's first receive finds all seven claim checks waiting.
        await pipeline.StartAsync(withWorker: false);
        await WaitUntilAsync(() => pipeline.Queue.Count == expected.Count + 1, "all claim checks on the queue");
        await pipeline.StartWorkerAsync();

        var rows = await pipeline.Ingest.WaitForRowsAsync(expected.Keys.Append(corruptPath), RowTimeout);

        foreach (var (path, colour) in expected)
        {
            var row = rows[path];
            Assert.Equal(nameof(ClassificationStatus.Succeeded), row.Status);
            Assert.Equal(colour, row.Label);
            Assert.True(row.Probability > 0.9, $"{path}: probability {row.Probability}");
            Assert.StartsWith("color-tiny@", row.Model, StringComparison.Ordinal);
            Assert.Equal(1, row.DequeueCount);
            Assert.False(string.IsNullOrEmpty(row.CorrelationId));
        }

        var failed = rows[corruptPath];
        Assert.Equal(nameof(ClassificationStatus.Failed), failed.Status);
        Assert.Equal("Corrupt", failed.ErrorKind);
        Assert.Null(failed.Label);

        // One receive took the whole batch and the batcher ran the images together; every message was completed.
        Assert.Contains(rows.Values, r => r.BatchSize > 1);
        Assert.Equal(1, pipeline.Worker.BatchesReceived);
        await WaitUntilAsync(() => pipeline.Queue.Count == 0, "every message completed");
        Assert.Equal(0, pipeline.Queue.DeadLetterQueue!.Count);
    }

    [Fact]
    public async Task DuplicateClaimCheck_ForTheSameBlobVersion_IsDroppedByDuplicateDetection_AndLeavesOneRow()
    {
        await using var pipeline = await ServiceBusPipeline.CreateAsync(azurite);
        var blobName = $"sb-duplicate-{Guid.NewGuid():N}/green.jpg";
        var path = ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName);
        var upload = await pipeline.Ingest.Images.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(TestImages.Colours["green"])));
        await pipeline.StartAsync();
        var first = (await pipeline.Ingest.WaitForRowsAsync([path], RowTimeout))[path];

        // Event Grid delivers at least once: the same blob version ingested again sends the same MessageId.
        await using var queue = new ServiceBusWorkQueue(pipeline.Client);
        await queue.SendAsync(new ClassifyRequest
        {
            Container = PipelineNames.ImagesContainer,
            BlobName = blobName,
            ETag = upload.Value.ETag.ToString(),
            SizeBytes = first.BlobSizeBytes,
            EnqueuedAt = DateTimeOffset.UtcNow,
            CorrelationId = "duplicate",
        });

        Assert.Equal(1, pipeline.Queue.DuplicatesDropped);
        // Nothing was queued, so nothing is in flight that could rewrite the row: the queue is empty and unlocked.
        await WaitUntilAsync(() => pipeline.Queue.Count == 0 && pipeline.Queue.LockedCount == 0, "the queue empty");
        var rows = await pipeline.Ingest.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName));
        var row = Assert.Single(rows);
        Assert.Equal(first.CorrelationId, row.CorrelationId);
        Assert.Equal("green", row.Label);
    }

    [Fact]
    public async Task RedeliveredMessage_AfterLockLoss_OverwritesItsRow_NeverDuplicates()
    {
        // Lock shorter than the batch wait and no renewal: every message's lock runs out while it waits in the batcher,
        // so completes fail with MessageLockLost and the messages come back.
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            new BrokerQueueOptions { LockDuration = TimeSpan.FromMilliseconds(600), DuplicateDetectionWindow = TimeSpan.FromMinutes(10) },
            new Dictionary<string, string?>
            {
                ["Classifier:MaxBatchDelayMilliseconds"] = "1500",
                ["Classifier:ServiceBus:LockRenewalSeconds"] = "300",
            });
        var prefix = $"sb-redelivery-{Guid.NewGuid():N}/";
        var paths = new List<string>();
        foreach (var name in new[] { "red", "blue" })
        {
            var blobName = $"{prefix}{name}.jpg";
            await pipeline.Ingest.Images.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(TestImages.Colours[name])));
            paths.Add(ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName));
        }

        await pipeline.StartAsync();
        await pipeline.Ingest.WaitForRowsAsync(paths, RowTimeout, r => r.DequeueCount >= 2);

        var rows = await pipeline.Ingest.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix));
        Assert.Equal(paths.Order(), rows.Select(r => r.BlobPath).Order());
        Assert.All(rows, r => Assert.Equal(nameof(ClassificationStatus.Succeeded), r.Status));
    }

    [Fact]
    public async Task AlwaysFailingMessage_IsDeadLetteredWithItsReason_AndItsBlobGetsAPoisonedRow()
    {
        await using var pipeline = await ServiceBusPipeline.CreateAsync(azurite, new BrokerQueueOptions { MaxDeliveryCount = 3 });
        await pipeline.StartAsync();

        // A container name storage refuses (HTTP 400, not 404): every delivery fails the same way, as a storage
        // outage would, until Service Bus runs out of deliveries.
        var request = new ClassifyRequest
        {
            Container = "Not_A_Container",
            BlobName = $"sb-poison-{Guid.NewGuid():N}.jpg",
            ETag = "\"0x1\"",
            SizeBytes = 10,
            EnqueuedAt = DateTimeOffset.UtcNow,
            CorrelationId = "always-fails",
        };
        await using var queue = new ServiceBusWorkQueue(pipeline.Client);
        await queue.SendAsync(request);
        var path = ResultKeys.BlobPath(request.Container, request.BlobName);

        // The last delivery writes a provisional Poisoned row ("none finished") before it tries, and its final words
        // after it failed, and only then dead-letters the message: read the row once the dead letter is there.
        await WaitUntilAsync(() => pipeline.Queue.DeadLetterQueue!.Count == 1, "the message dead-lettered");
        var row = (await pipeline.Ingest.WaitForRowsAsync([path], RowTimeout))[path];

        Assert.Equal(nameof(ClassificationStatus.Failed), row.Status);
        Assert.Equal(DeadLetterRecorder.PoisonedKind, row.ErrorKind);
        // The classifier writes this row itself on the last delivery (the same code path as the storage queue), so it
        // reads as the other transports' Poisoned rows do; the dead letter keeps the machine-readable reason.
        Assert.Contains("Gave up after 3 deliveries; the last one failed", row.Error, StringComparison.Ordinal);
        Assert.Equal("always-fails", row.CorrelationId);
        var dead = Assert.Single(pipeline.Queue.DeadLetterQueue!.Snapshot());
        Assert.Equal("ClassifyFailed", dead.DeadLetterReason);
        Assert.Equal(3, pipeline.Queue.Deliveries);

        // carclass poison list/replay on this transport: the dead letter is listed with its blob, and replay sends the
        // claim check back to the queue (past duplicate detection) and removes the dead letter.
        var poison = pipeline.Ingest.Services.GetRequiredService<PoisonQueues>();
        var listed = Assert.Single(await poison.ListAsync(), m => m.Queue == PipelineNames.ServiceBusDeadLetterQueue);
        Assert.Equal(path, listed.BlobPath);
        var replayed = await poison.ReplayAsync(m => m.MessageId == listed.MessageId);
        Assert.Equal(listed.MessageId, Assert.Single(replayed).MessageId);
        await WaitUntilAsync(() => pipeline.Queue.Deliveries > 3, "the replayed claim check delivered again");
        Assert.Equal(0, pipeline.Queue.DuplicatesDropped);
    }

    [Fact]
    public async Task WorkerKilledMidBatch_EveryImageStillEndsWithExactlyOneRow()
    {
        // A 3 s batch wait holds the whole batch in memory, locked and unsettled, when the worker is killed.
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(3), DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        var prefix = $"sb-kill-{Guid.NewGuid():N}/";
        var expected = new Dictionary<string, string>();
        foreach (var (name, colour) in TestImages.Colours)
        {
            var blobName = $"{prefix}{name}.png";
            await pipeline.Ingest.Images.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(colour)));
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName)] = name;
        }

        await pipeline.StartAsync(withWorker: false);
        await WaitUntilAsync(() => pipeline.Queue.Count == expected.Count, "all claim checks on the queue");

        var environment = WorkerEnvironment(pipeline, batchDelayMilliseconds: 3000);
        using (var doomed = WorkerProcess.Start(environment))
        {
            await WaitUntilAsync(() => pipeline.Queue.LockedCount == expected.Count, "the worker holding the whole batch", doomed);
            doomed.Kill();
        }

        Assert.Empty(await pipeline.Ingest.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix)));
        using var survivor = WorkerProcess.Start(WorkerEnvironment(pipeline, batchDelayMilliseconds: 100));
        var rows = await pipeline.Ingest.WaitForRowCountAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix), expected.Count, RowTimeout);

        Assert.Equal(expected.Keys.Order(), rows.Select(r => r.BlobPath).Order());
        foreach (var row in rows)
        {
            Assert.Equal(nameof(ClassificationStatus.Succeeded), row.Status);
            Assert.Equal(expected[row.BlobPath], row.Label);
            Assert.Equal(2, row.DequeueCount); // The killed worker's delivery counted; the survivor's was the second.
        }

        await WaitUntilAsync(() => pipeline.Queue.Count == 0, "every message completed", survivor);
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(0, false)]
    public async Task WorkerStoppedMidBatch_FinishesWithinGrace_OrAbandonsWhatItHolds(int graceSeconds, bool finishes)
    {
        // A 60 s lock: only an explicit settle can free the messages within this test's time.
        await using var pipeline = await ServiceBusPipeline.CreateAsync(
            azurite,
            new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(60), DuplicateDetectionWindow = TimeSpan.FromMinutes(10) },
            new Dictionary<string, string?>
            {
                ["Classifier:MaxBatchDelayMilliseconds"] = "2000",
                ["Classifier:ServiceBus:ShutdownGraceSeconds"] = graceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        var prefix = $"sb-stop-{graceSeconds}-{Guid.NewGuid():N}/";
        foreach (var name in new[] { "red", "green", "blue" })
        {
            await pipeline.Ingest.Images.GetBlobClient($"{prefix}{name}.png").UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(TestImages.Colours[name])));
        }

        await pipeline.StartAsync(withWorker: false);
        await WaitUntilAsync(() => pipeline.Queue.Count == 3, "all claim checks on the queue");
        await pipeline.StartWorkerAsync();
        await WaitUntilAsync(() => pipeline.Queue.LockedCount == 3, "the worker holding the batch");

        await pipeline.StopWorkerAsync();

        Assert.Equal(0, pipeline.Queue.LockedCount);
        var rows = await pipeline.Ingest.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix));
        if (finishes)
        {
            Assert.Equal(3, rows.Count);
            Assert.Equal(0, pipeline.Queue.Count);
        }
        else
        {
            Assert.Empty(rows);
            Assert.Equal(3, pipeline.Queue.Count); // Abandoned: available again at once, for the next worker.
        }
    }

    private static Dictionary<string, string> WorkerEnvironment(ServiceBusPipeline pipeline, int batchDelayMilliseconds)
    {
        var environment = pipeline.Settings
            .Where(kv => kv.Value is not null)
            .ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);
        environment[PipelineNames.StorageConnection] = pipeline.IngestConnection;
        environment["Classifier__ModelManifest"] = Path.Combine(RepoPaths.Models, "color-tiny", "manifest.json");
        environment["Classifier__ModelCacheDirectory"] = pipeline.WorkerCache;
        environment["Classifier__MaxBatchSize"] = "8";
        environment["Classifier__MaxBatchDelayMilliseconds"] = batchDelayMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return environment;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, string what, WorkerProcess? process = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (process is { HasExited: true }) Assert.Fail($"The worker exited while waiting for {what}:\n{process.Output}");
            if (watch.Elapsed > RowTimeout) Assert.Fail($"Timed out waiting for {what}.{(process is null ? "" : "\n" + process.Output)}");
            await Task.Delay(50);
        }
    }
}
