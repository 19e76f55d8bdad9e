using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Hostile blob names through the whole pipeline: whatever Azurite accepts gets exactly one row whose keys are
/// valid Table keys, unique, and point-readable from the blob path alone.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobNameTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly string LongStem = new('x', 900);

    /// <summary>Hostile names; the control-character ones are probed first (see <see cref="ProbeAsync"/>).</summary>
    private static readonly string[] Names =
    [
        "unicode-日本語-Ünïcødé-🚗.jpg",
        "with  spaces .jpg",
        "hash#tag.jpg",
        "question?mark.jpg",
        "nested/folder/deep.jpg",
        "back\\slash.jpg",
        "percent%41.jpg",
        "percentA.jpg",
        "quote'and\"double.jpg",
        "dots/../../escape.jpg",
        "ctl-\u0001-soh.jpg",
        "ctl-\t-tab.jpg",
        "ctl-\u001f-us.jpg",
        "ctl-\u007f-del.jpg",
        "ctl-\u0085-nel.jpg",
        LongStem + "-a.jpg",
        LongStem + "-b.jpg",
    ];

    /// <summary>Azurite 3.37's verdict per name where it is not simply "ok" (see <see cref="ProbeAsync"/>).</summary>
    private static readonly Dictionary<string, string> ExpectedVerdicts = new(StringComparer.Ordinal)
    {
        ["back\\slash.jpg"] = "listed as back/slash.jpg", // '\' is a path separator to the service, as in Azure
        ["dots/../../escape.jpg"] = "rejected (400", // dot segments: InvalidResourceName
        ["ctl-\u0001-soh.jpg"] = "breaks listing", // stored, but the XML listing cannot carry it
        ["ctl-\u001f-us.jpg"] = "breaks listing",
    };

    [Fact]
    public async Task HostileBlobNames_EachGetsOneRow_WithValidUniquePointReadableKeys()
    {
        // Arrange: names Azurite can store and list go into the images container.
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var prefix = $"names-{Guid.NewGuid():N}/";
        var usable = new List<string>();
        var surprises = new List<string>();
        foreach (var name in Names)
        {
            var verdict = await ProbeAsync(azurite.ConnectionString, name);
            output.WriteLine($"{Printable(name)}: {verdict}");
            var expected = ExpectedVerdicts.GetValueOrDefault(name, "ok");
            if (!verdict.StartsWith(expected, StringComparison.Ordinal)) surprises.Add($"{Printable(name)}: expected {expected}, got {verdict}");
            if (verdict == "ok" || verdict.StartsWith("listed as", StringComparison.Ordinal)) usable.Add(name);
        }

        // What the emulator does with each name is recorded above; a change there should be looked at.
        Assert.True(surprises.Count == 0, string.Join('\n', surprises));
        var jpeg = TestImages.SolidJpeg(new Rgb24(255, 255, 0), 32, 32);
        foreach (var name in usable) await pipeline.Images.GetBlobClient(prefix + name).UploadAsync(BinaryData.FromBytes(jpeg));

        // What Azurite stored may differ from what we asked for (e.g. path normalisation): use its listing.
        var stored = new List<string>();
        await foreach (var item in pipeline.Images.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None)) stored.Add(item.Name);
        foreach (var name in stored) output.WriteLine($"stored: {Printable(name)}");
        Assert.Equal(usable.Count, stored.Count);
        await pipeline.StartAsync();

        // Act: point reads by blob path only.
        var paths = stored.Select(n => ResultKeys.BlobPath(PipelineNames.ImagesContainer, n)).ToList();
        var rows = await pipeline.WaitForRowsAsync(paths, TimeSpan.FromSeconds(120));

        // Assert
        var keys = new HashSet<(string, string)>();
        foreach (var path in paths)
        {
            var row = rows[path];
            Assert.Equal(path, row.BlobPath);
            Assert.Equal(nameof(ClassificationStatus.Succeeded), row.Status);
            Assert.Equal("yellow", row.Label);
            AssertValidKey(row.PartitionKey);
            AssertValidKey(row.RowKey);
            Assert.True(keys.Add((row.PartitionKey, row.RowKey)), $"duplicate key for {Printable(path)}");
        }

        var all = await pipeline.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix));
        Assert.Equal(stored.Count, all.Count);
        Assert.Equal(stored.Count, all.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task ResultStore_EveryHostileName_IncludingControlCharacters_RoundTripsByPointRead()
    {
        // Arrange: rows written straight to the table, for names even the blob emulator refuses.
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var prefix = $"keys-{Guid.NewGuid():N}/";
        var names = Names.Append("nul-\u0000-char.jpg").Append("only\u0001\u0002\u0003").ToList();
        var keys = new HashSet<(string, string)>();

        foreach (var name in names)
        {
            var path = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + name);

            // Act
            await pipeline.Results.UpsertAsync(new ClassificationResult { BlobPath = path, Label = name, ProcessedAt = DateTimeOffset.UtcNow });
            var row = await pipeline.Results.GetAsync(path);

            // Assert
            Assert.NotNull(row);
            Assert.Equal(path, row.BlobPath);
            Assert.Equal(name, row.Label);
            AssertValidKey(row.PartitionKey);
            AssertValidKey(row.RowKey);
            Assert.True(keys.Add((row.PartitionKey, row.RowKey)), $"duplicate key for {Printable(name)}");
        }

        Assert.Equal(names.Count, (await pipeline.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix))).Count);
    }

    /// <summary>
    /// Uploads the name into a scratch container and lists it back: "ok", "rejected" (upload refused), or
    /// "breaks listing" (Azurite stores it but then cannot list the container, which would stall every container
    /// sweep: such a name must never reach the images container of a shared emulator).
    /// </summary>
    /// A plain SDK client, without the pipeline's EmulatorListingPolicy (which repairs such listings): this records the emulator.
    private static async Task<string> ProbeAsync(string connectionString, string name)
    {
        var scratch = new BlobServiceClient(connectionString).GetBlobContainerClient($"probe-{Guid.NewGuid():N}");
        await scratch.CreateAsync();
        try
        {
            try
            {
                await scratch.GetBlobClient(name).UploadAsync(BinaryData.FromString("x"));
            }
            catch (RequestFailedException ex)
            {
                return $"rejected ({ex.Status} {ex.ErrorCode})";
            }

            try
            {
                var listed = new List<string>();
                await foreach (var item in scratch.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, CancellationToken.None)) listed.Add(item.Name);
                return listed.SequenceEqual([name]) ? "ok" : $"listed as {Printable(string.Join(",", listed))}";
            }
            catch (Exception ex) when (ex is RequestFailedException or System.Xml.XmlException)
            {
                return $"breaks listing ({ex.GetType().Name})";
            }
        }
        finally
        {
            await scratch.DeleteAsync();
        }
    }

    private static void AssertValidKey(string key)
    {
        // Table service rules: at most 1 KiB (UTF-16), none of / \ # ? and no control characters.
        Assert.InRange(key.Length * 2, 2, 1024);
        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }

    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
