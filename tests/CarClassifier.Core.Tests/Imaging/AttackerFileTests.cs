using CarClassifier.Core.Imaging;
using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// Issue 21 through every decoder: metadata bombs decode at bounded cost, valid pictures under broken EXIF decode as
/// stored, damaged restart markers are Corrupt rather than a confident label, and common formats we do not accept are
/// named. The files come from <see cref="AttackerFiles"/> and <see cref="RestartJpeg"/>; each is a solid colour, so
/// "decodes" is checked as "decodes to that colour".
/// </summary>
public class AttackerFileTests
{
    private static readonly Rgb24 Red = new(255, 0, 0);

    public static TheoryData<string> DecoderNames() => Decoding.DecoderNames();

    /// <summary>Metadata bombs on valid red pictures, by name.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> MetadataBombs()
    {
        yield return ("jpeg-exif-4000-entries-sharing-12KB", AttackerFiles.JpegWithExif(AttackerFiles.ExifSharedRegionBomb()));
        yield return ("jpeg-13-app1-of-5000-tiny-entries", AttackerFiles.JpegWithSegments(
            Enumerable.Range(0, 13).Select(_ => ((byte)0xE1, AttackerFiles.ExifManyTinyEntries(5000))).ToArray()));
        yield return ("jpeg-300-icc-chunks-19MB", AttackerFiles.JpegWithIccChunks(300));
        yield return ("png-exif-65535-tiny-entries", AttackerFiles.PngWithExif(AttackerFiles.ExifManyTinyEntries(65_535)));
        yield return ("png-exif-4000-entries-sharing-12KB", AttackerFiles.PngWithExif(AttackerFiles.ExifSharedRegionBomb()));
        yield return ("png-40-ztxt-of-1MB", AttackerFiles.PngWithDeflatedText(40));
    }

    public static TheoryData<string> MetadataBombNames() => new(MetadataBombs().Select(b => b.Name));

    private static byte[] Bomb(string name) => MetadataBombs().Single(b => b.Name == name).Bytes;

    [Theory]
    [MemberData(nameof(MetadataBombNames))]
    public void Probe_MetadataBomb_AllocatesLittle_AndMeasuresTheMetadata(string bomb)
    {
        // Arrange
        byte[] bytes = Bomb(bomb);
        long before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        var header = ImageHeaderProbe.Probe(bytes, ImageLimits.Default);

        // Assert: no copy of any metadata value (ImageSharp's ExifProfile held entries x region, 48 MB for the first);
        // the probe's own allocations are small and do not grow with the metadata.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 512 * 1024, $"the probe allocated {allocated} bytes on a {bytes.Length}-byte file");
        Assert.Equal((64, 64, 1), (header.StoredWidth, header.StoredHeight, header.Orientation));
        Assert.True(header.MetadataBytes > 0, "the metadata was not measured");
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Decode_MetadataBombs_DecodeToTheirColour(string decoderName)
    {
        foreach (var (name, bytes) in MetadataBombs())
        {
            // Act
            var tensor = Decoding.Decode(decoderName, bytes);

            // Assert
            AssertColour(tensor, Red, name);
        }
    }

    [Fact]
    public void Estimate_MetadataOverTheLimit_CountsTheStrippedCopy_AndUnderIt_TwiceTheMetadata()
    {
        // Arrange: 19 MB of ICC chunks (stripped before Skia), and a 60 KB EXIF (kept, counted twice).
        byte[] icc = AttackerFiles.JpegWithIccChunks(300);
        byte[] exif = AttackerFiles.JpegWithExif(AttackerFiles.ExifSharedRegionBomb());
        var iccHeader = ImageHeaderProbe.Probe(icc, ImageLimits.Default);
        var exifHeader = ImageHeaderProbe.Probe(exif, ImageLimits.Default);
        long plain = DecodeMemoryEstimate.Bytes(SkiaDecoder.DecoderName, iccHeader with { MetadataBytes = 0, SkipMetadata = false }, icc, Decoding.Recipe);

        // Act
        long withIcc = DecodeMemoryEstimate.Bytes(SkiaDecoder.DecoderName, iccHeader, icc, Decoding.Recipe);
        long withExif = DecodeMemoryEstimate.Bytes(TurboJpegDecoder.DecoderName, exifHeader, exif, Decoding.Recipe);

        // Assert
        Assert.True(iccHeader.SkipMetadata);
        Assert.False(exifHeader.SkipMetadata);
        Assert.Equal(plain + icc.Length, withIcc);
        Assert.Equal(plain + (2 * exifHeader.MetadataBytes), withExif);
    }

    /// <summary>Broken EXIF structures on a valid red JPEG or PNG.</summary>
    private static IEnumerable<(string Name, byte[] Exif)> BrokenExif(ushort orientation)
    {
        yield return ("self-referencing-sub-ifd", AttackerFiles.ExifSelfReferencingSubIfd(orientation));
        yield return ("exif-and-gps-ifds-point-to-ifd0", AttackerFiles.ExifSubIfdsPointBackToIfd0(orientation));
        yield return ("3000-nested-sub-ifds", AttackerFiles.ExifNestedSubIfds(3000, orientation));
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Decode_BrokenExifStructures_DecodeAsStored_InJpegAndPng(string decoderName)
    {
        foreach (var (name, exif) in BrokenExif(1))
        {
            foreach (var (container, bytes) in new[] { ("jpeg", AttackerFiles.JpegWithExif(exif)), ("png", AttackerFiles.PngWithExif(exif)) })
            {
                // Act: before issue 21, the JPEGs failed DecoderError "a part the file refers to is missing or inconsistent".
                var header = ImageHeaderProbe.Probe(bytes, ImageLimits.Default);
                var tensor = Decoding.Decode(decoderName, bytes);

                // Assert
                Assert.Equal(1, header.Orientation);
                AssertColour(tensor, Red, $"{container} {name}");
            }
        }
    }

    [Fact]
    public void Probe_BrokenSubIfds_StillReadTheOrientationInIfd0()
    {
        foreach (var (name, exif) in BrokenExif(6))
        {
            // Act
            var header = ImageHeaderProbe.Probe(AttackerFiles.JpegWithExif(exif), ImageLimits.Default);

            // Assert: IFD0 itself is sound, so its orientation counts, as Pillow's exif_transpose reads it.
            Assert.True(header.Orientation == 6, $"{name}: orientation {header.Orientation}");
        }
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("png")]
    public void Probe_MoreMetadataSegmentsThanTheLimit_IsTooLarge_NamingTheSetting(string container)
    {
        // Arrange
        byte[] bytes = container == "jpeg" ? AttackerFiles.JpegWithManyComments(1001) : AttackerFiles.PngWithManyTextChunks(1001);
        var limits = ImageLimits.Default with { SettingPrefix = "Classifier:" };

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => ImageHeaderProbe.Probe(bytes, limits));

        // Assert
        Assert.Equal(ImageRejectionKind.TooLarge, ex.Kind);
        Assert.Contains("metadata segments, more than the limit of 1000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Classifier:MaxMetadataSegments", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_ThousandMetadataSegments_AtTheLimit_Decodes()
    {
        // Act
        var header = ImageHeaderProbe.Probe(AttackerFiles.JpegWithManyComments(1000), ImageLimits.Default);

        // Assert
        Assert.Equal(64, header.StoredWidth);
    }

    [Fact]
    public void Probe_TiffFieldsSharingTheStrip_AreTooLarge_NamingTheSetting()
    {
        // Arrange: 300 fields x 4,096 bytes, all at the strip: 1.2 MB of values in a 8 KB file.
        byte[] tiff = AttackerFiles.TiffSharedRegionBomb(300);
        var limits = ImageLimits.Default with { SettingPrefix = "Classifier:" };

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => ImageHeaderProbe.Probe(tiff, limits));

        // Assert
        Assert.Equal(ImageRejectionKind.TooLarge, ex.Kind);
        Assert.Contains("Classifier:MaxMetadataBytes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Decode_TiffWithAFewFieldsSharingTheStrip_UnderTheLimit_Decodes(string decoderName)
    {
        // Act
        var tensor = Decoding.Decode(decoderName, AttackerFiles.TiffSharedRegionBomb(10));

        // Assert
        AssertColour(tensor, new Rgb24(0x80, 0x80, 0x80), "tiff");
    }

    [Fact]
    public void Probe_TiffDirectoryChainThatLoops_IsCorrupt_InWords()
    {
        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => ImageHeaderProbe.Probe(AttackerFiles.TiffDirectoryLoop(), ImageLimits.Default));

        // Assert
        Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
        Assert.Contains("loop", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Decode_GeneratedRestartJpeg_Undamaged_IsItsColour(string decoderName)
    {
        // The control for the damage below: the generator's own file decodes to red in every decoder.
        AssertColour(Decoding.Decode(decoderName, RestartJpeg.Solid(Red)), Red, "restart jpeg");
    }

    [Theory]
    [MemberData(nameof(DecoderNames))]
    public void Decode_OneRestartMarkerAfterTheLastMcu_IsNotDamage(string decoderName)
    {
        // libjpeg reads the extra marker as a marker without parameters and decodes every block: not refused.
        AssertColour(Decoding.Decode(decoderName, RestartJpeg.Solid(Red, damage: RestartJpeg.Damage.TrailingMarker)), Red, "trailing RST");
    }

    public static TheoryData<string, string> DecodersAndRestartDamage()
    {
        var data = new TheoryData<string, string>();
        foreach (string decoder in ImageDecoderFactory.Names)
        {
            data.Add(decoder, nameof(RestartJpeg.Damage.AllRst7));
            data.Add(decoder, nameof(RestartJpeg.Damage.DriZeroWithMarkers));
            data.Add(decoder, nameof(RestartJpeg.Damage.MarkersRemoved));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DecodersAndRestartDamage))]
    public void Decode_DamagedRestartMarkers_AreCorrupt_NotAColour(string decoderName, string damage)
    {
        // Arrange: libjpeg-turbo fills what it loses with grey; the red photo was labelled "white", Succeeded.
        byte[] jpeg = RestartJpeg.Solid(Red, damage: Enum.Parse<RestartJpeg.Damage>(damage));

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(decoderName, jpeg));

        // Assert
        Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
        Assert.Contains("restart", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_BadHuffmanCode_TurboJpegReportsCorrupt_InLibjpegsWords()
    {
        // Arrange: no restart markers for the probe to check: only the decoder can tell.
        Assert.True(TurboJpegDecoder.IsAvailable, $"libturbojpeg is not loadable: {TurboJpegDecoder.UnavailableReason}");
        byte[] jpeg = RestartJpeg.Solid(Red, damage: RestartJpeg.Damage.BadHuffmanCode);

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => Decoding.Decode(TurboJpegDecoder.DecoderName, jpeg));

        // Assert
        Assert.Equal(ImageRejectionKind.Corrupt, ex.Kind);
        Assert.Contains("Corrupt JPEG data", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Corrupt JPEG data: bad Huffman code", true)]
    [InlineData("Corrupt JPEG data: found marker 0xd7 instead of RST0", true)]
    [InlineData("Corrupt JPEG data: premature end of data segment", true)]
    [InlineData("Premature end of JPEG file", true)]
    [InlineData("Corrupt JPEG data: 1214 extraneous bytes before marker 0xd0", false)]
    [InlineData("Corrupt JPEG data: bad ICC marker", false)]
    [InlineData("Warning: unknown JFIF revision number 3.01", false)]
    public void TurboJpegWarnings_OnlyLostPixelDataCountsAsDamage(string warning, bool damaged)
    {
        Assert.Equal(damaged, TurboJpegDecoder.IsDamagedPixelData(warning));
    }

    public static TheoryData<string> ForeignFileNames() => new(AttackerFiles.ForeignFiles().Select(f => f.Name));

    [Theory]
    [MemberData(nameof(ForeignFileNames))]
    public void Probe_CommonFormatWeDoNotAccept_IsNamed(string file)
    {
        // Arrange
        var (_, bytes, named) = AttackerFiles.ForeignFiles().Single(f => f.Name == file);

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => ImageHeaderProbe.Probe(bytes, ImageLimits.Default));

        // Assert: what the file is, not "not a recognised image format (first bytes: ...)".
        Assert.Equal(ImageRejectionKind.UnsupportedFormat, ex.Kind);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("first bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_GzipThatIsNotSvg_IsNamedGzip_AndAGzipBombInflatesOnlyItsStart()
    {
        // Arrange: 1 GB of zeros would be 1 MB gzipped; 64 MB (64 KB gzipped) makes the point.
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) gzip.Write(zeros);
        }

        byte[] bytes = output.ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        var ex = Assert.Throws<ImageRejectedException>(() => ImageHeaderProbe.Probe(bytes, ImageLimits.Default));

        // Assert
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("gzip", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < 4L * bytes.Length + (1 << 20), $"allocated {allocated} bytes");
    }

    private static void AssertColour(float[] tensor, Rgb24 colour, string what)
    {
        int plane = tensor.Length / 3;
        byte[] expected = [colour.R, colour.G, colour.B];
        for (int c = 0; c < 3; c++)
        {
            double mean = tensor.AsSpan(c * plane, plane).ToArray().Average();
            double want = Decoding.Normalised(c, expected[c]);
            double level = Decoding.Normalised(c, 1) - Decoding.Normalised(c, 0);
            Assert.True(Math.Abs(mean - want) <= 4 * level, $"{what}: channel {c} is {mean}, expected {want} (colour {colour})");
        }
    }
}
