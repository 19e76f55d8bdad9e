using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Results;
using CarClassifier.Core.Tests.Imaging;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Issue 15, hole 11: <c>carclass report</c> over the hostile files that made it exit 255 with no index.html (BMP with
/// biClrUsed 0xFFFFFFFF, TIFF RowsPerStrip 0, WebP with an overflowing EXIF size, PNG with 100,000 IDAT chunks) and the
/// 2.3 KB GIF with a 2000x2000 screen and 100 frames that took it to 1.28 GB. The report completes; each file gets a
/// thumbnail or a "no preview" card saying why in words; the GIF costs one frame of memory.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class ReportHostileFilesTests(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    /// <summary>Most the report may add to the resident set: one 2000x2000 RGBA frame is 16 MB; every frame was 1,163 MiB.</summary>
    private const long ReportMemoryLimit = 256L * 1024 * 1024;

    private readonly string _temp = Directory.CreateTempSubdirectory("carclass-report-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task HostileFiles_ReportCompletes_EachCardShowsAThumbnailOrWhyNot_MemoryBounded()
    {
        // Arrange: the blobs, and rows as the classifier would leave them (the report reads both).
        var prefix = $"report-hostile-{Guid.NewGuid():N}/";
        var files = new (string Name, byte[] Bytes, bool Previewable)[]
        {
            ("bmp_clrused_ffffffff.bmp", HostileFiles.BmpClrUsedFfffffff(), false),
            ("tiff_rowsperstrip_0.tif", HostileFiles.Tiff(rowsPerStrip: 0), false),
            ("webp_exif_size_fffffff0.webp", HostileFiles.WebpVp8xWithExif(0xFFFFFFF0), false),
            ("png_100000_idat.png", HostileFiles.PngWithManyIdatChunks(100_000), true),
            ("gif_2000x2000_100_frames.gif", HostileFiles.GifWideScreenManyFrames(), true),
            ("ordinary.png", TestImages.SolidPng(TestImages.Colours["green"]), true),
        };
        Assert.InRange(files[4].Bytes.Length, 1000, 4000);
        var storage = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build());
        await StorageBootstrapper.EnsureAsync(storage);
        var images = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
        foreach (var (name, bytes, _) in files)
        {
            await images.UploadBlobAsync(prefix + name, BinaryData.FromBytes(bytes));
            await results.UpsertAsync(new ClassificationResult
            {
                BlobPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + name),
                Status = "Failed",
                ErrorKind = "Corrupt",
                Error = "recorded by the classifier",
                Model = "color-tiny@1",
                ProcessedAt = DateTimeOffset.UtcNow,
            });
        }

        var outDir = Path.Combine(_temp, "report");
        long before = ProcessMemory.ResetPeak();

        // Act
        var (exit, text) = await CliRunner.RunAsync("report", "--prefix", prefix, "--out", outDir, "--connection", azurite.ConnectionString);
        long added = ProcessMemory.PeakResidentBytes() - before;

        // Assert
        output.WriteLine(text);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"report: peak resident set {added / (1024 * 1024)} MiB above the {before / (1024 * 1024)} MiB before it"));
        Assert.Equal(ExitCodes.Success, exit);
        var html = await File.ReadAllTextAsync(Path.Combine(outDir, "index.html"));
        var cards = Cards().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => m.Value, StringComparer.Ordinal);
        foreach (var (name, _, previewable) in files)
        {
            var card = cards[prefix + name];
            if (previewable)
            {
                var thumb = Thumbnail().Match(card);
                Assert.True(thumb.Success, $"{name}: no thumbnail in {card}");
                Assert.True(File.Exists(Path.Combine(outDir, thumb.Groups["src"].Value)), $"{name}: {thumb.Groups["src"].Value} missing");
            }
            else
            {
                var reason = WebUtility.HtmlDecode(NoPreview().Match(card).Groups["reason"].Value);
                output.WriteLine($"{name}: no preview: {reason}");
                Assert.Contains("corrupt", reason, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotMatch(ExceptionName(), reason);
            }
        }

        Assert.True(added < ReportMemoryLimit, $"the report added {added} bytes to the resident set, over {ReportMemoryLimit}");
    }

    [GeneratedRegex("""<article class="card[^"]*"[^>]*>\s*(?:<img[^>]*>|<div class="nothumb">.*?</div>)\s*<h2 title="(?<name>[^"]*)">.*?</article>""", RegexOptions.Singleline)]
    private static partial Regex Cards();

    [GeneratedRegex("""<img src="(?<src>thumbs/[0-9a-f]+\.jpg)" """)]
    private static partial Regex Thumbnail();

    [GeneratedRegex("""<div class="nothumb">no preview<br><small>(?<reason>[^<]+)</small></div>""")]
    private static partial Regex NoPreview();

    [GeneratedRegex(@"\b[A-Z]\w*Exception\b")]
    private static partial Regex ExceptionName();
}
