using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The local host's safety net for blobs the WebJobs polling trigger misses (see docs/RELIABILITY.md): a running
/// host must give every uploaded blob a row, including blobs uploaded in bursts while its sweeps are in flight.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReconcilerTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    // The grace period is longer than the trigger's 10 s container poll, so the reconciler only takes blobs the
    // trigger really missed (a shorter one would race the trigger, which is harmless but hides the misses).
    private static readonly Dictionary<string, string?> FastReconciler = new()
    {
        ["Reconciler:Interval"] = "00:00:02",
        ["Reconciler:GracePeriod"] = "00:00:15",
    };

    [Fact]
    public async Task ReconcileAsync_BlobTheTriggerNeverSaw_IsIngested_ThenLeftAlone()
    {
        // Arrange: a blob in the container while no trigger is listening (the host is built but not started).
        await using var pipeline = await PipelineHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Reconciler:GracePeriod"] = "00:00:00",
        });
        var name = $"reconcile-{Guid.NewGuid():N}/missed.jpg";
        await pipeline.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(TestImages.Colours["blue"])));
        var reconciler = pipeline.Services.GetServices<IHostedService>().OfType<BlobReconciler>().Single();
        var queue = pipeline.Storage.CreateQueueClient(PipelineNames.WorkQueue);
        await queue.ClearMessagesAsync();

        // Act
        var first = await reconciler.ReconcileAsync();
        var messages = (await queue.PeekMessagesAsync(32)).Value;

        // Assert: exactly the missed blob was enqueued (older blobs of other tests all have rows or receipts).
        Assert.Equal(1, first);
        var message = Assert.Single(messages);
        Assert.Contains(name, message.Body.ToString(), StringComparison.Ordinal);

        // Once it has a row for its ETag, later sweeps leave it alone.
        await pipeline.StartAsync();
        await pipeline.WaitForRowsAsync([ResultKeys.BlobPath(PipelineNames.ImagesContainer, name)], TimeSpan.FromSeconds(60));
        Assert.Equal(0, await reconciler.ReconcileAsync());
    }

    [Fact]
    public async Task RunningHost_BurstsOfUploads_EveryBlobGetsExactlyOneRow()
    {
        // Arrange: the host is already running and sweeping when the uploads start.
        await using var pipeline = await PipelineHost.CreateAsync(azurite, FastReconciler);
        await pipeline.StartAsync();
        var prefix = $"bursts-{Guid.NewGuid():N}/";
        var jpeg = TestImages.SolidJpeg(new Rgb24(255, 255, 255), 64, 64);
        var paths = new List<string>();

        // Act: 6 bursts of 25 parallel uploads, 0.7 s apart, so uploads land during sweeps.
        await UploadBurstsAsync(pipeline, prefix, jpeg, paths);
        var rows = await pipeline.WaitForRowsAsync(paths, TimeSpan.FromSeconds(120));

        // Assert
        Assert.All(rows.Values, r => Assert.Equal("white", r.Label));
        var all = await pipeline.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix));
        Assert.Equal(paths.Count, all.Count);
        Assert.Equal(paths.Count, all.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>
    /// The experiment behind the reconciler: the same bursts with the reconciler off, counting blobs the WebJobs
    /// trigger alone has not ingested once its row count is stable; then one reconciler sweep must bring every blob to a row.
    /// </summary>
    [Fact]
    [Trait("Category", "Long")]
    public async Task BurstUploads_TriggerAlone_MissesAreCounted_ThenOneSweepRecoversThem()
    {
        // Arrange
        await using var pipeline = await PipelineHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Reconciler:Enabled"] = "false",
            ["Reconciler:GracePeriod"] = "00:00:00",
        });
        await pipeline.StartAsync();
        var prefix = $"misses-{Guid.NewGuid():N}/";
        var jpeg = TestImages.SolidJpeg(new Rgb24(0, 0, 0), 64, 64);
        var paths = new List<string>();
        await UploadBurstsAsync(pipeline, prefix, jpeg, paths, bursts: 20);

        // Act 1: the trigger alone, polled until its row count stops growing (15 s without a new row) or every blob has one.
        var withRow = 0;
        var lastGrowth = DateTime.UtcNow;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (withRow < paths.Count && DateTime.UtcNow - lastGrowth < TimeSpan.FromSeconds(15) && watch.Elapsed < TimeSpan.FromSeconds(180))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var count = (await pipeline.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix))).Count;
            if (count > withRow) lastGrowth = DateTime.UtcNow;
            withRow = count;
        }

        output.WriteLine($"trigger alone: {withRow} of {paths.Count} blobs have a row after {watch.Elapsed.TotalSeconds:F0} s (stable for 15 s); missed {paths.Count - withRow}");

        // Act 2: one sweep.
        var reconciler = pipeline.Services.GetServices<IHostedService>().OfType<BlobReconciler>().Single();
        var ingested = await reconciler.ReconcileAsync();
        output.WriteLine($"one reconciler sweep ingested {ingested}");
        var rows = await pipeline.WaitForRowsAsync(paths, TimeSpan.FromSeconds(120));

        // Assert
        Assert.Equal(paths.Count, rows.Count);
        Assert.Equal(paths.Count - withRow, ingested);
    }

    private static async Task UploadBurstsAsync(PipelineHost pipeline, string prefix, byte[] jpeg, List<string> paths, int bursts = 6)
    {
        for (var burst = 0; burst < bursts; burst++)
        {
            var names = Enumerable.Range(0, 25).Select(i => $"{prefix}b{burst:D2}-{i:D2}.jpg").ToList();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
                await pipeline.Images.GetBlobClient(n).UploadAsync(BinaryData.FromBytes(jpeg), ct));
            paths.AddRange(names.Select(n => ResultKeys.BlobPath(PipelineNames.ImagesContainer, n)));
            await Task.Delay(700);
        }
    }
}
