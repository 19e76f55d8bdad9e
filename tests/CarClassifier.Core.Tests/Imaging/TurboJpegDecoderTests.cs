using CarClassifier.Core.Imaging;
using SkiaSharp;
using Xunit.Abstractions;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// The TurboJPEG decoder must be a faster <see cref="SkiaDecoder"/>, not a different one: the same DCT scale, nearly the
/// same tensor, and for every file it hands over, the very verdict Skia gives.
/// </summary>
public class TurboJpegDecoderTests(ITestOutputHelper output)
{
    /// <summary>
    /// Measured on the 34 photos and the 27 decodable edge JPEGs: mean at most 0.0002, p99 0, max 0-0.070 (photos) and
    /// 0.296 (a few pixels of the 227x149 IJG reference image): both are libjpeg-turbo 2.1.5, and where the SIMD and plain C
    /// upsampling round differently a pixel moves by a level or a few. One level is about 0.0175.
    /// </summary>
    private const double MaxMeanDifference = 0.001;

    private const double MaxP99Difference = 0.018;

    private static readonly string[] JpegEdgeFiles = [.. TestData.EdgeNames().Where(n => n.EndsWith(".jpg", StringComparison.Ordinal))];

    public static TheoryData<string> JpegEdgeData() => new(JpegEdgeFiles);

    [Fact]
    public void Library_OnThisMachine_Loads()
    {
        // scripts/test.sh installs libturbojpeg0; without it every turbojpeg test below would silently measure Skia.
        Assert.True(TurboJpegDecoder.IsAvailable, $"libturbojpeg is not loadable: {TurboJpegDecoder.UnavailableReason}");
        Assert.Equal("", TurboJpegDecoder.UnavailableReason);
    }

    [Theory]
    [MemberData(nameof(TestData.PhotoData), MemberType = typeof(TestData))]
    public void DecodeInto_Photo_MatchesSkia(string photo)
    {
        // Arrange
        string path = TestData.Photo(photo);

        // Act
        float[] skia = Decoding.DecodeFile(SkiaDecoder.DecoderName, path);
        float[] turbo = Decoding.DecodeFile(TurboJpegDecoder.DecoderName, path);

        // Assert
        var diff = TensorDifference.Of(skia, turbo);
        output.WriteLine($"{photo}: {diff}");
        Assert.True(diff.Mean < MaxMeanDifference, $"{photo}: {diff}");
        Assert.True(diff.P99 < MaxP99Difference, $"{photo}: {diff}");
    }

    [Theory]
    [MemberData(nameof(JpegEdgeData))]
    public void DecodeInto_EdgeJpeg_GivesSkiasVerdict(string file)
    {
        // Arrange
        byte[] bytes = File.ReadAllBytes(TestData.Edge(file));

        // Act
        (float[]? skia, string? skiaError) = TryDecode(SkiaDecoder.DecoderName, bytes);
        (float[]? turbo, string? turboError) = TryDecode(TurboJpegDecoder.DecoderName, bytes);

        // Assert
        Assert.Equal(skiaError, turboError);
        if (skia is not null && turbo is not null)
        {
            var diff = TensorDifference.Of(skia, turbo);
            output.WriteLine($"{file}: {diff}");
            Assert.True(diff.Mean < MaxMeanDifference, $"{file}: {diff}");
            Assert.True(diff.P99 < MaxP99Difference, $"{file}: {diff}");
        }
        else
        {
            output.WriteLine($"{file}: both rejected: {turboError}");
        }
    }

    [Theory]
    [MemberData(nameof(TestData.PhotoData), MemberType = typeof(TestData))]
    public void ChooseDecodeSize_Photo_IsTheSizeSkiaDecodesAt(string photo)
    {
        // Arrange
        using var codec = SKCodec.Create(TestData.Photo(photo));
        double minimum = Decoding.Recipe.ResizeShorterSide * new SkiaDecoder().MinimumOversample;
        var expected = codec.Info.Size;
        foreach (float scale in (ReadOnlySpan<float>)[0.125f, 0.25f, 0.5f])
        {
            var size = codec.GetScaledDimensions(scale);
            if (Math.Min(size.Width, size.Height) >= minimum)
            {
                expected = size;
                break;
            }
        }

        // Act
        (int width, int height) = TurboJpegDecoder.ChooseDecodeSize(codec.Info.Width, codec.Info.Height, minimum);

        // Assert
        Assert.Equal((expected.Width, expected.Height), (width, height));
    }

    [Fact]
    public void DecodeInto_TooManyScansPastTheProbe_RejectedWithLibjpegTurbosReason()
    {
        // Arrange: the probe's own scan limit lifted, so only TurboJPEG's (500) stands between the file and the CPU.
        byte[] bytes = ProgressiveJpeg.WithManyScans(64, 64, firstBit: 10);
        var limits = ImageLimits.Default with { MaxJpegScans = int.MaxValue };
        var tensor = new float[Decoding.Recipe.ImageTensorLength];

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => new TurboJpegDecoder().DecodeInto(bytes, Decoding.Recipe, limits, tensor));

        // Assert
        Assert.Equal(ImageRejectionKind.TooLarge, ex.Kind);
        Assert.Contains("more than 500 scans", ex.Message, StringComparison.Ordinal);
    }

    private static (float[]? Tensor, string? Error) TryDecode(string decoder, byte[] bytes)
    {
        try
        {
            return (Decoding.Decode(decoder, bytes), null);
        }
        catch (ImageRejectedException ex)
        {
            return (null, $"{ex.Kind}: {ex.Message}");
        }
    }
}
