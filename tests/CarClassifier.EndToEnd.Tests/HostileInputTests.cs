using Azure.Storage.Blobs;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using CarClassifier.Core.Tests.Imaging;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Bad input through the real local pipeline (blob trigger → queue → decoder → ONNX → table) on Azurite: every
/// file ends with exactly one row, Failed with a clear reason or Succeeded with the right label, the host never
/// crashes, and the known-colour neighbours in the same batches still get exact answers.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostileInputTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly TimeSpan RowTimeout = TimeSpan.FromSeconds(180);

    /// <summary>
    /// ErrorKind per edge file (shared/testdata/edge or tests/testdata/edge) with the default (turbojpeg) decoder; null = Succeeded. Mirrors the Skia
    /// column of tests/CarClassifier.Core.Tests/Imaging/EdgeCaseTests.cs (turbojpeg gives Skia's verdict on every edge
    /// file: TurboJpegDecoderTests), here end to end.
    /// </summary>
    private static readonly Dictionary<string, string?> EdgeFailures = new(StringComparer.Ordinal)
    {
        ["broken_data_stream.png"] = "Corrupt",
        ["decompression_bomb.gif"] = "TooLarge",
        ["exif.avif"] = "UnsupportedFormat",
        ["ijg_testimgari.jpg"] = "UnsupportedFormat",
        ["pngsuite_xcrn0g04.png"] = "UnknownFormat",
        ["pngsuite_xcsn0g01.png"] = "Corrupt",
        ["pngsuite_xdtn0g01.png"] = "Corrupt",
        ["pngsuite_xhdn0g08.png"] = "Corrupt",
        ["pngsuite_xs1n0g01.png"] = "UnknownFormat",
        ["truncated_app14.jpg"] = "Corrupt",
        ["truncated_jpeg.jpg"] = "Corrupt",
        ["ultrahdr.jpg"] = "Corrupt",
    };

    [Fact]
    public async Task EveryEdgeFile_AndColourNeighbours_OneRowEach_WithRecordedOutcome()
    {
        // Arrange: every edge file and six known colours, uploaded together so they share batches.
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var prefix = $"edge-{Guid.NewGuid():N}/";
        // ../shared/testdata/edge (60 files) where it is present, else the repository's 42 (tests/testdata/SOURCES.md).
        var edgeFolder = SharedTestData.EdgeDirectory;
        var files = SharedTestData.ImageFiles(edgeFolder).ToList();
        Assert.True(files.Count >= 40, $"expected the edge corpus in {edgeFolder}, found {files.Count} files");
        var expected = new Dictionary<string, (string? Kind, string? Label)>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = prefix + Path.GetFileName(file);
            await pipeline.Images.GetBlobClient(name).UploadAsync(file);
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, name)] = (EdgeFailures.GetValueOrDefault(Path.GetFileName(file)), null);
        }

        await UploadColoursAsync(pipeline.Images, prefix, expected);
        await pipeline.StartAsync();

        // Act
        var rows = await pipeline.WaitForRowsAsync(expected.Keys, RowTimeout);

        // Assert
        AssertOutcomes(expected, rows);
        Assert.Equal(expected.Count, (await pipeline.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix))).Count);
    }

    [Fact]
    public async Task GeneratedHostileFiles_FailWithClearReasons_NeighboursSucceed()
    {
        // Arrange: a 1 MiB blob limit for this host, so the over-the-limit blob stays small.
        const long maxBytes = 1024 * 1024;
        await using var pipeline = await PipelineHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Classifier:MaxBlobBytes"] = maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var prefix = $"hostile-{Guid.NewGuid():N}/";
        var files = new Dictionary<string, (byte[] Bytes, string? Kind, string? ReasonNames)>
        {
            ["zero-bytes.jpg"] = ([], "Empty", null),
            ["random-bytes.jpg"] = (HostileImages.RandomBytes(20_000, 1), "UnknownFormat", null),
            ["truncated-at-10pct.jpg"] = (HostileImages.TruncatedJpeg(0.10), "Corrupt", null),
            ["truncated-at-50pct.jpg"] = (HostileImages.TruncatedJpeg(0.50), "Corrupt", null),
            ["truncated-at-99pct.jpg"] = (HostileImages.TruncatedJpeg(0.99), "Corrupt", null),
            ["truncated-after-frame-header.jpg"] = (HostileImages.JpegCutAfterFrameHeader(), "Corrupt", null),
            ["claims-60000x60000.jpg"] = (HostileImages.JpegClaiming(60_000, 60_000), "TooLarge", "Classifier:MaxPixels"),
            ["png-bomb-50000x50000.png"] = (HostileImages.PngBomb(), "TooLarge", "Classifier:MaxPixels"),
            ["progressive-694-scans.jpg"] = (Core.Tests.Imaging.ProgressiveJpeg.WithManyScans(256, 256), "TooLarge", "Classifier:MaxJpegScans"),
            ["one-by-one.png"] = (TestImages.SolidPng(new Rgb24(0, 0, 255), 1, 1), null, null),
            ["ten-thousand-by-one.png"] = (TestImages.SolidPng(new Rgb24(255, 0, 0), 10_000, 1), null, null),
            ["text-file.png"] = (HostileImages.TextNamedPng(), "UnknownFormat", null),
            ["over-size-limit.jpg"] = (HostileImages.RandomBytes((int)maxBytes + 1, 2), "TooManyBytes", "Classifier:MaxBlobBytes"),
        };
        var expected = new Dictionary<string, (string? Kind, string? Label)>(StringComparer.Ordinal);
        foreach (var (name, (bytes, kind, _)) in files)
        {
            await pipeline.Images.GetBlobClient(prefix + name).UploadAsync(BinaryData.FromBytes(bytes));
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + name)] = (kind, null);
        }

        // The 1x1 and 10000x1 images have known colours too.
        expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + "one-by-one.png")] = (null, "blue");
        expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + "ten-thousand-by-one.png")] = (null, "red");
        await UploadColoursAsync(pipeline.Images, prefix, expected);
        await pipeline.StartAsync();

        // Act
        var rows = await pipeline.WaitForRowsAsync(expected.Keys, RowTimeout);

        // Assert
        AssertOutcomes(expected, rows);
        foreach (var (name, (_, _, reasonNames)) in files.Where(f => f.Value.ReasonNames is not null))
        {
            var row = rows[ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + name)];
            Assert.Contains(reasonNames!, row.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Issue 21's generators through the real host: metadata bombs and broken EXIF on valid red pictures get their
    /// colour; damaged restart markers and a bad Huffman code are Corrupt (not "white"); too many metadata segments and a
    /// TIFF whose fields share one region are TooLarge naming the setting; a looping TIFF directory chain is Corrupt; the
    /// common formats we do not accept are UnsupportedFormat, named. Exactly one row each, with its probe time recorded.
    /// </summary>
    [Fact]
    public async Task Issue21AttackerFiles_OneRightRowEach_WithProbeTime()
    {
        // Arrange
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var prefix = $"attacker-{Guid.NewGuid():N}/";
        var files = new Dictionary<string, (byte[] Bytes, string? Kind, string? Label, string? ReasonNames)>
        {
            ["exif-4000-entries-sharing-12KB.jpg"] = (AttackerFiles.JpegWithExif(AttackerFiles.ExifSharedRegionBomb()), null, "red", null),
            ["exif-65535-tiny-entries.png"] = (AttackerFiles.PngWithExif(AttackerFiles.ExifManyTinyEntries(65_535)), null, "red", null),
            ["exif-13-app1-of-5000-entries.jpg"] = (AttackerFiles.JpegWithSegments(
                Enumerable.Range(0, 13).Select(_ => ((byte)0xE1, AttackerFiles.ExifManyTinyEntries(5000))).ToArray()), null, "red", null),
            ["icc-300-chunks.jpg"] = (AttackerFiles.JpegWithIccChunks(300), null, "red", null),
            ["ztxt-40-of-1MB.png"] = (AttackerFiles.PngWithDeflatedText(40), null, "red", null),
            ["exif-self-referencing-sub-ifd.jpg"] = (AttackerFiles.JpegWithExif(AttackerFiles.ExifSelfReferencingSubIfd()), null, "red", null),
            ["exif-gps-and-exif-point-to-ifd0.jpg"] = (AttackerFiles.JpegWithExif(AttackerFiles.ExifSubIfdsPointBackToIfd0()), null, "red", null),
            ["exif-3000-nested-sub-ifds.jpg"] = (AttackerFiles.JpegWithExif(AttackerFiles.ExifNestedSubIfds()), null, "red", null),
            ["restart-markers-intact.jpg"] = (RestartJpeg.Solid(new Rgb24(255, 0, 0)), null, "red", null),
            ["restart-markers-all-rst7.jpg"] = (RestartJpeg.Solid(new Rgb24(255, 0, 0), damage: RestartJpeg.Damage.AllRst7), "Corrupt", null, "restart"),
            ["restart-dri-zero.jpg"] = (RestartJpeg.Solid(new Rgb24(255, 0, 0), damage: RestartJpeg.Damage.DriZeroWithMarkers), "Corrupt", null, "restart"),
            ["restart-markers-removed.jpg"] = (RestartJpeg.Solid(new Rgb24(255, 0, 0), damage: RestartJpeg.Damage.MarkersRemoved), "Corrupt", null, "restart"),
            ["bad-huffman-code.jpg"] = (RestartJpeg.Solid(new Rgb24(255, 0, 0), damage: RestartJpeg.Damage.BadHuffmanCode), "Corrupt", null, "Corrupt JPEG data"),
            ["1001-comments.jpg"] = (AttackerFiles.JpegWithManyComments(1001), "TooLarge", null, "Classifier:MaxMetadataSegments"),
            ["1001-text-chunks.png"] = (AttackerFiles.PngWithManyTextChunks(1001), "TooLarge", null, "Classifier:MaxMetadataSegments"),
            ["fields-sharing-the-strip.tif"] = (AttackerFiles.TiffSharedRegionBomb(300), "TooLarge", null, "Classifier:MaxMetadataBytes"),
            ["directory-loop.tif"] = (AttackerFiles.TiffDirectoryLoop(), "Corrupt", null, "loop"),
        };
        foreach (var (name, bytes, named) in AttackerFiles.ForeignFiles())
        {
            files["foreign-" + name] = (bytes, "UnsupportedFormat", null, named);
        }

        var expected = new Dictionary<string, (string? Kind, string? Label)>(StringComparer.Ordinal);
        foreach (var (name, (bytes, kind, label, _)) in files)
        {
            await pipeline.Images.GetBlobClient(prefix + name).UploadAsync(BinaryData.FromBytes(bytes));
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + name)] = (kind, label);
        }

        await pipeline.StartAsync();

        // Act
        var rows = await pipeline.WaitForRowsAsync(expected.Keys, RowTimeout);

        // Assert
        AssertOutcomes(expected, rows);
        Assert.Equal(expected.Count, (await pipeline.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix))).Count);
        foreach (var (name, (bytes, _, _, reasonNames)) in files)
        {
            var row = rows[ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + name)];
            output.WriteLine(System.FormattableString.Invariant($"{name}: {bytes.Length} bytes, probe {row.ProbeMs:F1} ms, decode {row.DecodeMs:F1} ms"));
            Assert.True(row.ProbeMs > 0, $"{name}: no probe time recorded");
            if (reasonNames is not null)
            {
                Assert.Contains(reasonNames, row.Error, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task ConfiguredLimits_AreEnforced_AndTheReasonNamesTheLimit()
    {
        // Arrange: only JPEG, at most 10,000 pixels.
        await using var pipeline = await PipelineHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Classifier:MaxPixels"] = "10000",
            ["Classifier:AcceptedFormats:0"] = "Jpeg",
        });
        var prefix = $"limits-{Guid.NewGuid():N}/";
        var png = prefix + "a.png";
        var bigJpeg = prefix + "big.jpg";
        var smallJpeg = prefix + "small.jpg";
        await pipeline.Images.GetBlobClient(png).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(new Rgb24(255, 0, 0), 50, 50)));
        await pipeline.Images.GetBlobClient(bigJpeg).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(new Rgb24(255, 0, 0), 320, 240)));
        await pipeline.Images.GetBlobClient(smallJpeg).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(new Rgb24(0, 255, 0), 100, 100)));
        await pipeline.StartAsync();

        // Act
        var rows = await pipeline.WaitForRowsAsync(new[] { png, bigJpeg, smallJpeg }.Select(n => ResultKeys.BlobPath(PipelineNames.ImagesContainer, n)), RowTimeout);

        // Assert
        var pngRow = rows[ResultKeys.BlobPath(PipelineNames.ImagesContainer, png)];
        Assert.Equal("UnsupportedFormat", pngRow.ErrorKind);
        Assert.Contains("Classifier:AcceptedFormats", pngRow.Error, StringComparison.Ordinal);
        var bigRow = rows[ResultKeys.BlobPath(PipelineNames.ImagesContainer, bigJpeg)];
        Assert.Equal("TooLarge", bigRow.ErrorKind);
        Assert.Contains("Classifier:MaxPixels", bigRow.Error, StringComparison.Ordinal);
        Assert.Contains("10000", bigRow.Error, StringComparison.Ordinal);
        var smallRow = rows[ResultKeys.BlobPath(PipelineNames.ImagesContainer, smallJpeg)];
        Assert.Equal(nameof(ClassificationStatus.Succeeded), smallRow.Status);
        Assert.Equal("green", smallRow.Label);
    }

    private static async Task UploadColoursAsync(BlobContainerClient images, string prefix, Dictionary<string, (string? Kind, string? Label)> expected)
    {
        foreach (var (colour, rgb) in TestImages.Colours)
        {
            var name = $"{prefix}neighbour-{colour}.jpg";
            await images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(rgb)));
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, name)] = (null, colour);
        }
    }

    private void AssertOutcomes(Dictionary<string, (string? Kind, string? Label)> expected, Dictionary<string, ClassificationResult> rows)
    {
        var problems = new List<string>();
        foreach (var (path, (kind, label)) in expected.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var row = rows[path];
            output.WriteLine($"{path}: {row.Status} {row.ErrorKind} {row.Label} {row.Error}");
            if (kind is null)
            {
                if (row.Status != nameof(ClassificationStatus.Succeeded) || row.Error is not null || string.IsNullOrEmpty(row.Label))
                {
                    problems.Add($"{path}: expected Succeeded, got {row.Status} {row.ErrorKind}: {row.Error}");
                }
                else if (label is not null && row.Label != label)
                {
                    problems.Add($"{path}: expected label {label}, got {row.Label}");
                }
            }
            else if (row.Status != nameof(ClassificationStatus.Failed) || row.ErrorKind != kind || string.IsNullOrWhiteSpace(row.Error) || row.Label is not null)
            {
                problems.Add($"{path}: expected Failed/{kind}, got {row.Status}/{row.ErrorKind}: {row.Error}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}
