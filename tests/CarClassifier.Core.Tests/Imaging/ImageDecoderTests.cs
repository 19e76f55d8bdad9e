using CarClassifier.Core.Imaging;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>Behaviour every <see cref="IImageDecoder"/> must show; each test runs for both decoders.</summary>
public class ImageDecoderTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> DecoderAndPhoto()
    {
        var data = new TheoryData<string, string>();
        foreach (string decoder in ImageDecoderFactory.Names)
        {
            foreach (string photo in TestData.PhotoNames())
            {
                data.Add(decoder, photo);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DecoderAndPhoto))]
    public void DecodeInto_Photo_WritesFiniteTensorOfRecipeLength(string decoderName, string photo)
    {
        // Arrange
        byte[] bytes = File.ReadAllBytes(TestData.Photo(photo));
        var tensor = new float[Decoding.Recipe.ImageTensorLength + 1];
        tensor[^1] = 42f;

        // Act
        var info = ImageDecoderFactory.Create(decoderName).DecodeInto(bytes, Decoding.Recipe, ImageLimits.Default, tensor);

        // Assert
        Assert.Equal(ImageFormat.Jpeg, info.Format);
        Assert.True(info.Width > 0 && info.Height > 0);
        Assert.All(tensor, v => Assert.True(float.IsFinite(v)));
        Assert.All(tensor.AsSpan(0, Decoding.Recipe.ImageTensorLength).ToArray(), v => Assert.InRange(v, -2.2f, 2.7f));
        Assert.Equal(42f, tensor[^1]); // nothing written past the image
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_DestinationTooSmall_ThrowsArgumentException(string decoderName)
    {
        // Arrange
        byte[] bytes = File.ReadAllBytes(TestData.Edge("baseline_hopper.jpg"));
        var tensor = new float[100];

        // Act & Assert
        Assert.Throws<ArgumentException>(
            () => ImageDecoderFactory.Create(decoderName).DecodeInto(bytes, Decoding.Recipe, ImageLimits.Default, tensor));
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_EmptyInput_RejectsEmpty(string decoderName)
    {
        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(decoderName, []));

        // Assert
        Assert.Equal(ImageRejectionKind.Empty, ex.Kind);
    }

    public static TheoryData<string, string> DecoderAndExifFile()
    {
        var data = new TheoryData<string, string>();
        foreach (string decoder in ImageDecoderFactory.Names)
        {
            foreach (string scene in (string[])["Landscape", "Portrait"])
            {
                for (int orientation = 2; orientation <= 8; orientation++)
                {
                    data.Add(decoder, $"exif_{scene}_{orientation}.jpg");
                }
            }

            data.Add(decoder, "exif_Landscape_0.jpg");
        }

        return data;
    }

    public static TheoryData<string, string> DecoderAndProbedFile()
    {
        var data = new TheoryData<string, string>();
        foreach (string decoder in ImageDecoderFactory.Names)
        {
            // JPEG with each kind of orientation, a CMYK JPEG, and formats the turbojpeg decoder hands to its fallback.
            // The exif_* photos are only in ../shared/testdata (5 MB); without it the other formats still run.
            foreach (string file in ((string[])["exif_Landscape_1.jpg", "exif_Portrait_6.jpg", "exif_Landscape_5.jpg", "cmyk_pil_sample_cmyk.jpg",
                "hopper_orientation_6.webp", "pngsuite_basn6a16.png", "hopper.tif", "hopper.bmp"]).Where(TestData.HasEdge))
            {
                data.Add(decoder, file);
            }
        }

        return data;
    }

    /// <summary>
    /// The classifier probes the header once (for the decode memory budget) and hands it to the decoder, which then skips
    /// its own probe. That must change nothing: the same tensor, bit for bit, and the same facts, orientation included.
    /// </summary>
    [Theory]
    [MemberData(nameof(DecoderAndProbedFile))]
    public void DecodeInto_WithProbedHeader_MatchesSelfProbedDecode(string decoderName, string file)
    {
        // Arrange
        byte[] bytes = File.ReadAllBytes(TestData.Edge(file));
        var decoder = ImageDecoderFactory.Create(decoderName);
        var selfProbed = new float[Decoding.Recipe.ImageTensorLength];
        var probed = new float[Decoding.Recipe.ImageTensorLength];
        var expected = decoder.DecodeInto(bytes, Decoding.Recipe, ImageLimits.Default, selfProbed);
        var header = ImageHeaderProbe.Probe(bytes, ImageLimits.Default);

        // Act
        var actual = decoder.DecodeInto(bytes, header, Decoding.Recipe, ImageLimits.Default, probed);

        // Assert
        Assert.Equal(expected, actual);
        Assert.Equal(selfProbed, probed);
    }

    /// <summary>The probed header is used, not probed again: a header that claims no rotation decodes the file unrotated.</summary>
    [SharedTestDataTheory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_WithProbedHeader_UsesThatHeaderInsteadOfProbingAgain(string decoderName)
    {
        // Arrange
        byte[] bytes = File.ReadAllBytes(TestData.Edge("exif_Portrait_6.jpg"));
        var decoder = ImageDecoderFactory.Create(decoderName);
        var header = ImageHeaderProbe.Probe(bytes, ImageLimits.Default);
        Assert.Equal(6, header.Orientation);
        var tensor = new float[Decoding.Recipe.ImageTensorLength];

        // Act
        var info = decoder.DecodeInto(bytes, header with { Orientation = 1 }, Decoding.Recipe, ImageLimits.Default, tensor);

        // Assert: the stored (landscape) size, as orientation 1 leaves it, not the upright portrait the file's EXIF asks for.
        Assert.Equal((header.StoredWidth, header.StoredHeight), (info.Width, info.Height));
        Assert.True(info.Width > info.Height);
    }

    /// <summary>
    /// Each file stores the same photo transformed so that applying its EXIF orientation shows it upright; only the
    /// orientation digit drawn on the photo differs. Measured (both decoders, vs orientation 1): mean abs diff 0.007-0.028,
    /// p99 0.017-0.105, max up to 3.9 where the digits differ. A wrong rotation or mirror moves most pixels, not 1%.
    /// </summary>
    [SharedTestDataTheory]
    [MemberData(nameof(DecoderAndExifFile))]
    public void DecodeInto_ExifOrientedCopy_MatchesOrientationOne(string decoderName, string file)
    {
        // Arrange
        string reference = file.Contains("Landscape", StringComparison.Ordinal) ? "exif_Landscape_1.jpg" : "exif_Portrait_1.jpg";
        float[] expected = Decoding.DecodeFile(decoderName, TestData.Edge(reference));

        // Act
        float[] actual = Decoding.DecodeFile(decoderName, TestData.Edge(file));

        // Assert
        var diff = TensorDifference.Of(expected, actual);
        output.WriteLine($"{decoderName} {file} vs {reference}: {diff}");
        Assert.True(diff.Mean < 0.045, $"{file}: {diff}");
        Assert.True(diff.P99 < 0.2, $"{file}: {diff}");
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_OnePixelImage_UpscalesToAUniformTensor(string decoderName)
    {
        // Arrange
        byte[] bytes = GeneratedImages.Png(1, 1, new Rgba32(10, 200, 30, 255));

        // Act
        float[] tensor = Decoding.Decode(decoderName, bytes);

        // Assert
        AssertSolid(tensor, 10, 200, 30, tolerance: 1e-4f);
    }

    /// <summary>
    /// 10000x1 needs its shorter side scaled 256x (to 2560000x256). Upscaling is allowed: only the 224x224 crop
    /// window is ever computed, so this costs no more than any other image.
    /// </summary>
    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_10000x1Image_DecodesByUpscaling(string decoderName)
    {
        // Arrange
        byte[] bytes = GeneratedImages.Png(10000, 1, new Rgba32(0, 0, 255, 255));

        // Act
        float[] tensor = Decoding.Decode(decoderName, bytes);

        // Assert
        AssertSolid(tensor, 0, 0, 255, tolerance: 1e-4f);
    }

    [Theory]
    [InlineData("imagesharp", 255, 0, 0)]
    [InlineData("imagesharp", 0, 255, 0)]
    [InlineData("imagesharp", 0, 0, 255)]
    [InlineData("skia", 255, 0, 0)]
    [InlineData("skia", 0, 255, 0)]
    [InlineData("skia", 0, 0, 255)]
    public void DecodeInto_SolidColourPng_GivesExactNormalisedValues(string decoderName, byte r, byte g, byte b)
    {
        // Arrange
        byte[] bytes = GeneratedImages.Png(320, 240, new Rgba32(r, g, b, 255));

        // Act
        float[] tensor = Decoding.Decode(decoderName, bytes);

        // Assert: e.g. red -> channel 0 = (1 - 0.485) / 0.229, channels 1, 2 = -mean / std.
        AssertSolid(tensor, r, g, b, tolerance: 1e-4f);
    }

    [Theory]
    [InlineData("imagesharp", 255, 0, 0)]
    [InlineData("imagesharp", 0, 255, 0)]
    [InlineData("imagesharp", 0, 0, 255)]
    [InlineData("skia", 255, 0, 0)]
    [InlineData("skia", 0, 255, 0)]
    [InlineData("skia", 0, 0, 255)]
    public void DecodeInto_SolidColourJpeg_GivesNormalisedValuesWithinJpegError(string decoderName, byte r, byte g, byte b)
    {
        // Arrange: 4:2:0 JPEG at quality 95 moves saturated primaries by a few levels.
        byte[] bytes = GeneratedImages.Jpeg(640, 480, new Rgb24(r, g, b));

        // Act
        float[] tensor = Decoding.Decode(decoderName, bytes);

        // Assert: 6 levels of 255 is 0.105 in normalised units for the tightest channel (std 0.224).
        AssertSolid(tensor, r, g, b, tolerance: 0.11f);
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_SolidRedCmykJpeg_GivesRed(string decoderName)
    {
        // Act
        float[] tensor = Decoding.Decode(decoderName, GeneratedImages.SolidRedCmykJpeg);

        // Assert
        AssertSolid(tensor, 255, 0, 0, tolerance: 0.05f);
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_FullyTransparentPng_CompositesOnWhite(string decoderName)
    {
        // Arrange: the stored colour under alpha 0 is black; a viewer shows white.
        byte[] bytes = GeneratedImages.Png(300, 300, new Rgba32(0, 0, 0, 0));

        // Act
        float[] tensor = Decoding.Decode(decoderName, bytes);

        // Assert
        AssertSolid(tensor, 255, 255, 255, tolerance: 1e-4f);
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_HalfTransparentBlackPng_CompositesToMidGrey(string decoderName)
    {
        // Arrange: black at alpha 128 over white = 255 * (1 - 128/255) = 127.
        byte[] bytes = GeneratedImages.Png(300, 300, new Rgba32(0, 0, 0, 128));

        // Act
        float[] tensor = Decoding.Decode(decoderName, bytes);

        // Assert: within one level.
        AssertSolid(tensor, 127, 127, 127, tolerance: 0.018f);
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_NhwcBgrRecipe_IsThePermutedNchwRgbTensor(string decoderName)
    {
        // Arrange
        byte[] bytes = File.ReadAllBytes(TestData.Photo("car_mlnet_Camaro.jpg"));
        var bgr = new PreprocessRecipe
        {
            Layout = TensorLayout.Nhwc,
            ChannelOrder = ChannelOrder.Bgr,
            Mean = [0.406f, 0.456f, 0.485f],
            Std = [0.225f, 0.224f, 0.229f],
        };

        // Act
        float[] nchw = Decoding.Decode(decoderName, bytes);
        float[] nhwc = Decoding.Decode(decoderName, bytes, bgr);

        // Assert
        int plane = 224 * 224;
        for (int p = 0; p < plane; p += 97)
        {
            Assert.Equal(nchw[p], nhwc[(p * 3) + 2]);             // R
            Assert.Equal(nchw[plane + p], nhwc[(p * 3) + 1]);     // G
            Assert.Equal(nchw[(2 * plane) + p], nhwc[p * 3]);     // B
        }
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_PngWithExifOrientation6_IsTurnedUpright(string decoderName)
    {
        // Arrange: stored 300x200 with a red top half; orientation 6 turns it 90 degrees clockwise, so red ends up on the right.
        byte[] bytes = GeneratedImages.PngTopHalfRedWithOrientation(300, 200, orientation: 6);

        // Act
        float[] tensor = Decoding.Decode(decoderName, bytes);

        // Assert: red channel at the left and right ends of the middle row.
        int row = 112 * 224;
        Assert.Equal(Decoding.Normalised(0, 0), tensor[row + 5], 0.02f);
        Assert.Equal(Decoding.Normalised(0, 255), tensor[row + 218], 0.02f);
    }

    [Theory]
    [InlineData("imagesharp", "png")]
    [InlineData("imagesharp", "jpeg")]
    [InlineData("skia", "png")]
    [InlineData("skia", "jpeg")]
    public void DecodeInto_FileCutInHalf_RejectsCorrupt(string decoderName, string kind)
    {
        // Arrange: a half-uploaded blob.
        byte[] whole = kind == "png"
            ? GeneratedImages.PngTopHalfRedWithOrientation(400, 300, orientation: 1)
            : File.ReadAllBytes(TestData.Photo("car_mlnet_Tahoe.jpg"));
        byte[] half = whole[..(whole.Length / 2)];

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(decoderName, half));

        // Assert
        Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
    }

    [Theory]
    [MemberData(nameof(Decoding.DecoderNames), MemberType = typeof(Decoding))]
    public void DecodeInto_ConcurrentCallsOnOneInstance_GiveIdenticalTensors(string decoderName)
    {
        // Arrange
        var decoder = ImageDecoderFactory.Create(decoderName);
        string[] files = [TestData.Photo("car_mlnet_Camaro.jpg"), TestData.Edge("pil123rgba.png"), TestData.Edge("hopper.webp")];
        byte[][] inputs = files.Select(File.ReadAllBytes).ToArray();
        float[][] expected = inputs.Select(bytes => Decoding.Decode(decoderName, bytes)).ToArray();

        // Act
        var results = new float[24][];
        Parallel.For(0, results.Length, i =>
        {
            results[i] = new float[Decoding.Recipe.ImageTensorLength];
            decoder.DecodeInto(inputs[i % inputs.Length], Decoding.Recipe, ImageLimits.Default, results[i]);
        });

        // Assert
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(expected[i % inputs.Length], results[i]);
        }
    }

    private static void AssertSolid(float[] tensor, int r, int g, int b, float tolerance)
    {
        int plane = tensor.Length / 3;
        int[] rgb = [r, g, b];
        for (int c = 0; c < 3; c++)
        {
            float expected = Decoding.Normalised(c, rgb[c]);
            float min = tensor.AsSpan(c * plane, plane).ToArray().Min();
            float max = tensor.AsSpan(c * plane, plane).ToArray().Max();
            Assert.True(
                Math.Abs(min - expected) <= tolerance && Math.Abs(max - expected) <= tolerance,
                $"channel {c}: expected {expected}, got {min}..{max}");
        }
    }
}
