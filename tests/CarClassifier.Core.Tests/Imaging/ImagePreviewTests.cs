using System.Text.RegularExpressions;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// Issue 15, hole 11: the report's thumbnails come from <see cref="ImagePreview"/>, which applies the classifier's probe,
/// limits and total failure policy. The files that aborted the report are rejected in words or previewed; nothing throws.
/// </summary>
public sealed partial class ImagePreviewTests(ITestOutputHelper output)
{
    public static TheoryData<string> ReportAborts() => new(ReportAbortFiles().Select(f => f.Name));

    internal static IEnumerable<(string Name, byte[] Bytes)> ReportAbortFiles()
    {
        yield return ("bmp-clrused-ffffffff", HostileFiles.BmpClrUsedFfffffff());
        yield return ("tiff-rowsperstrip-0", HostileFiles.Tiff(rowsPerStrip: 0));
        yield return ("webp-exif-size-fffffff0", HostileFiles.WebpVp8xWithExif(0xFFFFFFF0));
        yield return ("png-100000-idat", HostileFiles.PngWithManyIdatChunks(100_000));
        yield return ("gif-2000x2000-100-frames", HostileFiles.GifWideScreenManyFrames());
    }

    [Theory]
    [MemberData(nameof(ReportAborts))]
    public void FileThatAbortedTheReport_IsPreviewedOrRejectedInWords(string name)
    {
        var bytes = ReportAbortFiles().Single(f => f.Name == name).Bytes;

        try
        {
            var jpeg = ImagePreview.RenderJpeg(bytes, ImageLimits.Default, 240);
            var info = Image.Identify(jpeg);
            Assert.InRange(Math.Max(info.Width, info.Height), 1, 240);
            output.WriteLine($"{name}: preview {info.Width}x{info.Height}");
        }
        catch (ImageRejectedException ex)
        {
            Assert.DoesNotMatch(ExceptionName(), ex.Message);
            Assert.True(ex.Message.Length > 20, ex.Message);
            output.WriteLine($"{name}: {ex.Kind}: {ex.Message}");
        }
    }

    [Fact]
    public void WideScreenGifWithManyFrames_IsSmallOnDisk_AndPreviewsItsFirstFrameOnly()
    {
        var gif = HostileFiles.GifWideScreenManyFrames();

        var jpeg = ImagePreview.RenderJpeg(gif, ImageLimits.Default, 240);

        Assert.InRange(gif.Length, 1000, 4000); // the issue's 2.5 KB file
        using var thumbnail = Image.Load<Rgb24>(jpeg);
        Assert.Equal((240, 240), (thumbnail.Width, thumbnail.Height));
        Assert.Equal(1, thumbnail.Frames.Count);
    }

    [Fact]
    public void OrdinaryImage_PreviewKeepsItsColourAndFitsTheBox()
    {
        var png = GeneratedImages.Png(600, 300, new Rgba32(0, 0, 255, 255));

        using var thumbnail = Image.Load<Rgb24>(ImagePreview.RenderJpeg(png, ImageLimits.Default, 120));

        Assert.Equal((120, 60), (thumbnail.Width, thumbnail.Height));
        var centre = thumbnail[60, 30];
        Assert.True(centre.B > 200 && centre.R < 40 && centre.G < 40, $"centre pixel {centre}");
    }

    [Fact]
    public void EveryHostileFile_IsPreviewedOrRejectedInWords()
    {
        var problems = new List<string>();
        foreach (var (name, bytes) in HostileFiles.All())
        {
            try
            {
                ImagePreview.RenderJpeg(bytes, ImageLimits.Default, 64);
            }
            catch (ImageRejectedException ex) when (!ExceptionName().IsMatch(ex.Message))
            {
            }
            catch (Exception ex)
            {
                problems.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void PixelLimit_IsTheClassifiersLimit_NamedInTheReason()
    {
        var png = GeneratedImages.Png(400, 400, new Rgba32(0, 255, 0, 255));

        var ex = Assert.Throws<ImageRejectedException>(() => ImagePreview.RenderJpeg(png, new ClassifierOptions { MaxPixels = 10_000 }.ToImageLimits(), 64));

        Assert.Equal(ImageRejectionKind.TooLarge, ex.Kind);
        Assert.Contains("Classifier:MaxPixels", ex.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\b[A-Z]\w*Exception\b")]
    private static partial Regex ExceptionName();
}
