using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using CarClassifier.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Issue 15, holes 3 and 9: blob names the SDK normalises (dot segments, a leading slash) and a name the emulator cannot
/// list (U+FFFE), uploaded with raw REST PUTs and pushed through the real local host on Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobAddressingTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> FastReconciler = new()
    {
        ["Reconciler:Interval"] = "00:00:02",
        ["Reconciler:GracePeriod"] = "00:00:03",
    };

    [Fact]
    public async Task DotSegmentsAndLeadingSlash_EachBlobGetsOneRow_RightPixelsOrUnaddressableName()
    {
        // Arrange: raw uploads, each a different colour, so a row with another blob's pixels shows.
        var p = $"names-{Guid.NewGuid():N}";
        var cs = azurite.ConnectionString;
        await using var pipeline = await PipelineHost.CreateAsync(azurite, FastReconciler);
        await RawBlobUpload.PutAsync(cs, PipelineNames.ImagesContainer, $"{p}/y.jpg", TestImages.SolidJpeg(TestImages.Colours["blue"]));
        await RawBlobUpload.PutAsync(cs, PipelineNames.ImagesContainer, $"{p}/dd/%2E%2E/y.jpg", TestImages.SolidJpeg(TestImages.Colours["red"]));
        await RawBlobUpload.PutAsync(cs, PipelineNames.ImagesContainer, $"{p}/dd/../../../z.jpg", TestImages.SolidJpeg(TestImages.Colours["green"]));
        await RawBlobUpload.PutAsync(cs, PipelineNames.ImagesContainer, $"/{p}-lead.jpg", TestImages.SolidJpeg(TestImages.Colours["yellow"]));
        await RawBlobUpload.PutAsync(cs, PipelineNames.ImagesContainer, $"{p}/%2E/dot.jpg", TestImages.SolidJpeg(TestImages.Colours["white"]));
        var stored = new List<string>();
        await foreach (var item in pipeline.Images.GetBlobsAsync(BlobTraits.None, BlobStates.None, p, CancellationToken.None)) stored.Add(item.Name);
        await foreach (var item in pipeline.Images.GetBlobsAsync(BlobTraits.None, BlobStates.None, "/" + p, CancellationToken.None)) stored.Add(item.Name);
        Assert.Equal([$"/{p}-lead.jpg", $"{p}/./dot.jpg", $"{p}/dd/../../../z.jpg", $"{p}/dd/../y.jpg", $"{p}/y.jpg"], stored.Order(StringComparer.Ordinal));
        string Path(string name) => ResultKeys.BlobPath(PipelineNames.ImagesContainer, name);

        // Act
        await pipeline.StartAsync();
        var rows = await pipeline.WaitForRowsAsync(stored.Select(Path), TimeSpan.FromSeconds(120));

        // Assert: the two addressable names got their own pixels; the three dot-segment names say why they cannot be read.
        Assert.Equal(("Succeeded", "blue"), (rows[Path($"{p}/y.jpg")].Status, rows[Path($"{p}/y.jpg")].Label));
        Assert.Equal(("Succeeded", "yellow"), (rows[Path($"/{p}-lead.jpg")].Status, rows[Path($"/{p}-lead.jpg")].Label));
        foreach (var name in new[] { $"{p}/dd/../y.jpg", $"{p}/dd/../../../z.jpg", $"{p}/./dot.jpg" })
        {
            var row = rows[Path(name)];
            Assert.Equal(("Failed", BlobNameAddressing.UnaddressableKind), (row.Status, row.ErrorKind));
            Assert.Contains("Rename the blob", row.Error, StringComparison.Ordinal);
            Assert.Null(row.Label);
        }

        // Exactly one row each, and none for the names the SDK would have turned them into.
        var all = await pipeline.ListRowsAsync(Path(p));
        all.AddRange(await pipeline.ListRowsAsync(Path("/" + p)));
        Assert.Equal(stored.Select(Path).Order(StringComparer.Ordinal), all.Select(r => r.BlobPath).Order(StringComparer.Ordinal));
        Assert.Null(await pipeline.Results.GetAsync(Path($"{p}/dot.jpg")));
        Assert.Null(await pipeline.Results.GetAsync(Path($"{p}-lead.jpg")));

        // The reconciler does not loop on them: after the rows exist, two sweeps enqueue nothing.
        var reconciler = pipeline.Services.GetServices<IHostedService>().OfType<BlobReconciler>().Single();
        await reconciler.ReconcileAsync();
        Assert.Equal(0, await reconciler.ReconcileAsync());
        var unchanged = await pipeline.Results.GetAsync(Path($"{p}/dd/../y.jpg"));
        Assert.Equal(rows[Path($"{p}/dd/../y.jpg")].CorrelationId, unchanged!.CorrelationId);
    }

    [Fact]
    public async Task UnlistableName_TheHostStaysUp_TheOtherBlobsGetRows_AndWatchSaysWhatHappened()
    {
        // Arrange: a U+FFFE name first (Azurite then answers every listing of the container with an empty 500), then 5 normal blobs.
        var q = $"fffe-{Guid.NewGuid():N}";
        var bad = $"{q}/bad\uFFFE.jpg";
        var cs = azurite.ConnectionString;
        string Path(string name) => ResultKeys.BlobPath(PipelineNames.ImagesContainer, name);
        await using var pipeline = await PipelineHost.CreateAsync(azurite, FastReconciler);
        try
        {
            await RawBlobUpload.PutAsync(cs, PipelineNames.ImagesContainer, $"{q}/bad%EF%BF%BE.jpg", TestImages.SolidJpeg(TestImages.Colours["red"]));
            var colours = new[] { "green", "blue", "yellow", "white", "black" };
            for (var i = 0; i < colours.Length; i++)
            {
                await RawBlobUpload.PutAsync(cs, PipelineNames.ImagesContainer, $"{q}/c{i}.jpg", TestImages.SolidJpeg(TestImages.Colours[colours[i]]));
            }

            // The emulator bug is real: a plain SDK client cannot list the container.
            var plain = new BlobServiceClient(cs).GetBlobContainerClient(PipelineNames.ImagesContainer);
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await foreach (var item in plain.GetBlobsAsync(BlobTraits.None, BlobStates.None, q, CancellationToken.None)) _ = item;
            });

            // Act: the host runs with its polling trigger and reconciler on the whole container (an escaping listener
            // exception would end this test process, as it ended the host before).
            await pipeline.StartAsync();
            var paths = colours.Select((_, i) => Path($"{q}/c{i}.jpg")).ToList();
            var rows = await pipeline.WaitForRowsAsync(paths, TimeSpan.FromSeconds(120));

            // Assert: the 5 listed after the unlistable name got their own colour, one row each. The emulator never
            // reveals the unlistable name (it fails on it even as a marker), so that blob gets no row here (see RELIABILITY.md).
            for (var i = 0; i < colours.Length; i++) Assert.Equal(colours[i], rows[Path($"{q}/c{i}.jpg")].Label);
            Assert.Equal(paths.Order(StringComparer.Ordinal), (await pipeline.ListRowsAsync(Path(q))).Select(r => r.BlobPath).Order(StringComparer.Ordinal));

            // carclass watch follows the same container to the end and says what it met.
            var (exit, output) = await CliRunner.RunAsync("watch", "--prefix", q, "--timeout", "60", "--interval", "250", "--connection", cs);
            Assert.True(exit == 0, output);
            Assert.Contains("All 5 images have a row", output, StringComparison.Ordinal);
            Assert.Contains($"skipped the blob(s) named '{q}/bad' followed by U+FFFE or U+FFFF", output, StringComparison.Ordinal);
        }
        finally
        {
            // Other tests share this emulator: take the name that breaks its listing away again.
            await pipeline.Images.GetBlobClient(bad).DeleteIfExistsAsync();
        }
    }
}
