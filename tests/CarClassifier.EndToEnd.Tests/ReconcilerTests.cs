using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The local host's safety net for blobs the WebJobs polling trigger misses (see docs/RELIABILITY.md): a running
/// host must give every uploaded blob a row, including blobs uploaded in bursts while its sweeps are in flight.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReconcilerTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> FastReconciler = new()
    {
        ["Reconciler:Interval"] = "00:00:02",
        ["Reconciler:GracePeriod"] = "00:00:03",
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
        for (var burst = 0; burst < 6; burst++)
        {
            var names = Enumerable.Range(0, 25).Select(i => $"{prefix}b{burst}-{i:D2}.jpg").ToList();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
                await pipeline.Images.GetBlobClient(n).UploadAsync(BinaryData.FromBytes(jpeg), ct));
            paths.AddRange(names.Select(n => ResultKeys.BlobPath(PipelineNames.ImagesContainer, n)));
            await Task.Delay(700);
        }

        var rows = await pipeline.WaitForRowsAsync(paths, TimeSpan.FromSeconds(120));

        // Assert
        Assert.All(rows.Values, r => Assert.Equal("white", r.Label));
        var all = await pipeline.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix));
        Assert.Equal(paths.Count, all.Count);
        Assert.Equal(paths.Count, all.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
    }
}
