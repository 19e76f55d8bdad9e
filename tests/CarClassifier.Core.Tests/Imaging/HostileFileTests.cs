using System.Text.RegularExpressions;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// Issue 15, holes 1, 4 and 5: the hostile files of <see cref="HostileFiles"/> through the header probe and every decoder.
/// Nothing but <see cref="ImageRejectedException"/> (or a decoded tensor) may come out, and a rejection says what is wrong
/// with the file in words, never a .NET exception name.
/// </summary>
public sealed partial class HostileFileTests
{
    public static TheoryData<string> DecoderNames() => Decoding.DecoderNames();

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void EveryHostileFile_DecodesOrIsRejectedInWords(string decoderName)
    {
        // Arrange
        var decoder = ImageDecoderFactory.Create(decoderName);
        var problems = new List<string>();
        var tensor = new float[Decoding.Recipe.ImageTensorLength];

        // Act
        foreach (var (name, bytes) in HostileFiles.All())
        {
            try
            {
                decoder.DecodeInto(bytes, Decoding.Recipe, ImageLimits.Default, tensor);
            }
            catch (ImageRejectedException ex) when (!ExceptionName().IsMatch(ex.Message))
            {
                // The one allowed failure, with a reason in words.
            }
            catch (Exception ex)
            {
                problems.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        // Assert
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData(0x7FFFFFF0u)]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0xFFFFFFFFu)]
    public void Probe_PngWithHugeChunkLength_ReadsTheHeaderOrRejectsAsTruncated(uint length)
    {
        foreach (string type in new[] { "tEXt", "prIv", "IDAT" })
        {
            foreach (bool before in new[] { true, false })
            {
                // Arrange
                byte[] png = HostileFiles.PngWithChunk(type, length, before);

                // Act: before the fix, offset + size + 4 wrapped in int and Slice threw ArgumentOutOfRangeException.
                var outcome = Record.Exception(() => ImageHeaderProbe.Probe(png, ImageLimits.Default));

                // Assert: a chunk that hides the image data (before it, or an IDAT) is truncation; after the data it is harmless.
                if (before || type == "IDAT")
                {
                    var rejected = Assert.IsType<ImageRejectedException>(outcome);
                    Assert.Equal(ImageRejectionKind.Corrupt, rejected.Kind);
                    Assert.StartsWith($"Png image is truncated: a {type} chunk claims {length} bytes", rejected.Message, StringComparison.Ordinal);
                }
                else
                {
                    Assert.Null(outcome);
                    var header = ImageHeaderProbe.Probe(png, ImageLimits.Default);
                    Assert.Equal((ImageFormat.Png, 16, 16, 1), (header.Format, header.StoredWidth, header.StoredHeight, header.Orientation));
                }
            }
        }
    }

    [Fact]
    public void Probe_WebpFollowedByHugeChunk_ReadsTheHeader()
    {
        foreach (uint size in HostileFiles.BoundaryLengths)
        {
            // Act
            var header = ImageHeaderProbe.Probe(HostileFiles.WebpWithTrailingChunk("JUNK", size), ImageLimits.Default);

            // Assert
            Assert.Equal((ImageFormat.Webp, 16, 16), (header.Format, header.StoredWidth, header.StoredHeight));
        }
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Tiff_StripPastTheEndOfTheFile_IsCorrupt_NotABlackPicture(string decoderName)
    {
        foreach (var bytes in new[] { HostileFiles.Tiff(pixelBytes: 8), HostileFiles.Tiff(7000, 7000, pixelBytes: 64), HostileFiles.Tiff(stripOffset: 0xFFFFFF00) })
        {
            // Act
            var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(decoderName, bytes));

            // Assert
            Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
            Assert.Contains("truncated or missing image data", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Tiff_UncompressedStripsTooSmallForTheImage_IsCorrupt(string decoderName)
    {
        // Arrange: 7000x7000 grey needs 49,000,000 bytes; the strip byte count says 64, and 64 are present.
        byte[] bytes = HostileFiles.Tiff(7000, 7000, stripByteCount: 64, pixelBytes: 64);

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(decoderName, bytes));

        // Assert
        Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
        Assert.Equal(
            "Tiff image is corrupt: its strips hold 64 bytes, but a 7000x7000 image with compression 1 needs at least 49000000 (truncated or missing image data)",
            ex.Message);
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Tiff_RowsPerStripZero_IsCorrupt_InWords(string decoderName)
    {
        // Act: before, "corrupt or truncated (DivideByZeroException)".
        var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(decoderName, HostileFiles.Tiff(rowsPerStrip: 0)));

        // Assert
        Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
        Assert.Equal("Tiff image is corrupt: RowsPerStrip is 0, so the image rows cannot be divided into strips", ex.Message);
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Tiff_DirectoryOffsetOutsideTheFile_IsCorrupt_InWords(string decoderName)
    {
        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(decoderName, HostileFiles.Tiff(ifdOffset: 0xFFFFFFFF)));

        // Assert
        Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
        Assert.StartsWith("Tiff image is corrupt: the first image directory is at offset 4294967295, outside the", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Tiff_StripByteCountNearUintMax_IsCorrupt_InWords(string decoderName)
    {
        // Act: before, "corrupt or truncated (OverflowException)".
        var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(decoderName, HostileFiles.Tiff(stripByteCount: 0xFFFFFFFF)));

        // Assert
        Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
        Assert.Contains("strip 0 claims 4294967295 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Tiff_ValidClassicAndBigTiff_StillDecodeToTheirGrey(string decoderName)
    {
        foreach (var bytes in new[] { HostileFiles.Tiff(), HostileFiles.BigTiff() })
        {
            float[] tensor;
            try
            {
                tensor = Decoding.Decode(decoderName, bytes);
            }
            catch (ImageRejectedException ex)
            {
                // ImageSharp 2.1 may not read every BigTIFF; if it refuses, it must say so in words.
                Assert.DoesNotMatch(ExceptionName(), ex.Message);
                continue;
            }

            // Assert: every value is grey 128 normalised (the structure check must not reject good files).
            Assert.Equal(Decoding.Normalised(0, 128), tensor[0], 3);
            Assert.Equal(Decoding.Normalised(2, 128), tensor[^1], 3);
        }

        // The classic one must decode.
        Assert.Equal(Decoding.Normalised(1, 128), Decoding.Decode(decoderName, HostileFiles.Tiff())[Decoding.Recipe.ImageTensorLength / 2], 3);
    }

    [Fact]
    public void Probe_ProgressiveJpeg_PixelsTimesScansOverTheLimit_IsTooLarge_NamingTheSetting()
    {
        // Arrange: 256x256 with 442 scans = 28,966,912 pixel-scans (the count alone is under the 500-scan limit).
        byte[] bytes = ProgressiveJpeg.WithManyScans(256, 256, firstBit: 6);
        var limits = new ClassifierOptions { MaxJpegScanPixels = 20_000_000 }.ToImageLimits();

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => ImageHeaderProbe.Probe(bytes, limits));
        var underDefault = ImageHeaderProbe.Probe(bytes, ImageLimits.Default);

        // Assert
        Assert.Equal(ImageRejectionKind.TooLarge, ex.Kind);
        Assert.Equal(
            "Jpeg image would cost 65536 pixels x 442 scans = 28966912 pixel-scans to decode, over the limit of 20000000 (Classifier:MaxJpegScanPixels): every scan revisits every block",
            ex.Message);
        Assert.Equal(256, underDefault.StoredWidth);
    }

    [Fact]
    public void Probe_7000x7000JpegWith499Scans_IsRefusedByTheDefaultWorkLimit()
    {
        // Arrange: the issue's file: 49 megapixels x 499 scans is 24.5 billion pixel-scans (6-14 s of decoding before).
        byte[] bytes = ProgressiveJpeg.WithManyScans(64, 64, firstBit: 6);
        int sof = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC2]);
        bytes[sof + 5] = 7000 >> 8;
        bytes[sof + 6] = 7000 & 0xFF;
        bytes[sof + 7] = 7000 >> 8;
        bytes[sof + 8] = 7000 & 0xFF;
        int scans = 442;

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => ImageHeaderProbe.Probe(bytes, new ClassifierOptions().ToImageLimits()));

        // Assert
        Assert.Equal(ImageRejectionKind.TooLarge, ex.Kind);
        Assert.Contains($"49000000 pixels x {scans} scans", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Classifier:MaxJpegScanPixels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeFailures_DescribeEveryRuntimeException_WithoutItsTypeName()
    {
        Exception[] thrown =
        [
            new DivideByZeroException(), new OverflowException(), new ArgumentOutOfRangeException("x"), new IndexOutOfRangeException(),
            new InvalidOperationException(), new NullReferenceException(), new InvalidCastException(), new EndOfStreamException(),
            new NotSupportedException(), new FormatException(), new ArithmeticException(), new KeyNotFoundException(), new Exception("x"),
        ];
        foreach (var ex in thrown)
        {
            // Act
            var rejection = DecodeFailures.Unexpected(HostileFiles.Png(), ex);

            // Assert
            Assert.Equal(ImageRejectionKind.DecoderError, rejection.Kind);
            Assert.StartsWith("Png image could not be decoded: ", rejection.Message, StringComparison.Ordinal);
            Assert.DoesNotMatch(ExceptionName(), rejection.Message);
            Assert.Same(ex, rejection.InnerException);
        }
    }

    /// <summary>A .NET exception type name, e.g. "DivideByZeroException".</summary>
    [GeneratedRegex(@"[A-Z][A-Za-z]*Exception\b")]
    private static partial Regex ExceptionName();
}
