using CarClassifier.Core.Imaging;
using Xunit.Abstractions;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// What each decoder does with every file in shared/testdata/edge (see SOURCES.md there). "decodes" means a finite
/// tensor comes out; anything else is the <see cref="ImageRejectionKind"/> of the <see cref="ImageRejectedException"/>.
/// This records observed behaviour, reviewed file by file.
/// </summary>
public class EdgeCaseTests(ITestOutputHelper output)
{
    private const string Decodes = "decodes";

    /// <summary>file -> (ImageSharp outcome, Skia outcome, why).</summary>
    private static readonly Dictionary<string, (string ImageSharp, string Skia, string Note)> Expected = new()
    {
        ["16bit.cropped.tif"] = (Decodes, Decodes, "16-bit grey TIFF; Skia has no TIFF codec and hands TIFF to ImageSharp"),
        ["anim_iss634.gif"] = (Decodes, Decodes, "animated GIF: first frame"),
        ["anim_iss634.webp"] = (nameof(ImageRejectionKind.UnsupportedFormat), Decodes, "ImageSharp 2.1 cannot decode animated WebP; Skia decodes the first frame"),
        ["baseline_hopper.jpg"] = (Decodes, Decodes, "plain baseline JPEG"),
        ["broken_data_stream.png"] = (nameof(ImageRejectionKind.Corrupt), nameof(ImageRejectionKind.Corrupt), "IDAT CRC error found by the header probe"),
        ["cmyk_pil_sample_cmyk.jpg"] = (Decodes, Decodes, "Adobe YCCK JPEG"),
        ["decompression_bomb.gif"] = (nameof(ImageRejectionKind.TooLarge), nameof(ImageRejectionKind.TooLarge), "frame descriptor 65535x1321 over MaxPixels"),
        ["exif.avif"] = (nameof(ImageRejectionKind.UnsupportedFormat), nameof(ImageRejectionKind.UnsupportedFormat), "AVIF is not accepted and not decodable"),
        ["exif_Landscape_0.jpg"] = (Decodes, Decodes, "Orientation=0 is invalid: treated as 1"),
        ["exif_Landscape_1.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Landscape_2.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Landscape_3.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Landscape_4.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Landscape_5.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Landscape_6.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Landscape_7.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Landscape_8.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Portrait_1.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Portrait_2.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Portrait_3.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Portrait_4.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Portrait_5.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Portrait_6.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Portrait_7.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["exif_Portrait_8.jpg"] = (Decodes, Decodes, "EXIF orientation"),
        ["gray_hopper_gray.jpg"] = (Decodes, Decodes, "grey JPEG, expanded to three equal channels"),
        ["hopper.bmp"] = (Decodes, Decodes, "24-bit BMP"),
        ["hopper.tif"] = (Decodes, Decodes, "RGB TIFF (Skia via ImageSharp)"),
        ["hopper.webp"] = (Decodes, Decodes, "lossy WebP"),
        ["hopper_16bit_qtables.jpg"] = (Decodes, Decodes, "SOF1 with 16-bit quantisation tables"),
        ["hopper_bad_exif.jpg"] = (Decodes, Decodes, "lenient: malformed EXIF ignored. Skia's pixels differ in a few rows (p99 4.4 vs Pillow); ImageSharp matches Pillow"),
        ["hopper_orientation_6.webp"] = (Decodes, Decodes, "WebP EXIF orientation 6, read by the shared probe from the RIFF EXIF chunk and applied by both"),
        ["hopper_rle8.bmp"] = (Decodes, Decodes, "RLE8 palette BMP"),
        ["icc_profile_big.jpg"] = (Decodes, Decodes, "400 KB ICC profile, ignored (no colour management, like Pillow's default)"),
        ["ijg_testimgari.jpg"] = (nameof(ImageRejectionKind.UnsupportedFormat), nameof(ImageRejectionKind.UnsupportedFormat), "arithmetic coding: ImageSharp 2.1 cannot decode it, and the shared probe rejects it for both"),
        ["ijg_testorig.jpg"] = (Decodes, Decodes, "IJG reference JPEG"),
        ["jpeg_ff00_header.jpg"] = (Decodes, Decodes, "lenient: stray FF00 in the header skipped"),
        ["junk_jpeg_header.jpg"] = (Decodes, Decodes, "lenient, but ImageSharp 2.1 mis-decodes it (mean 1.24 from Pillow); Skia matches Pillow"),
        ["monkey12.jpg"] = (Decodes, Decodes, "12-bit JPEG: ImageSharp decodes it; Skia's codec cannot and falls back to ImageSharp"),
        ["monkey16.png"] = (Decodes, Decodes, "16-bit RGB PNG"),
        ["multipage.tiff"] = (Decodes, Decodes, "multi-page TIFF: first page"),
        ["p_trns_single.png"] = (Decodes, Decodes, "palette with one transparent entry, composited on white"),
        ["pil123rgba.png"] = (Decodes, Decodes, "RGBA interlaced, composited on white"),
        ["png_decompression_dos.png"] = (Decodes, Decodes, "1x1 with huge compressed text chunks: decodes without inflating them into memory"),
        ["pngsuite_basi3p08.png"] = (Decodes, Decodes, "palette, Adam7"),
        ["pngsuite_basn0g16.png"] = (Decodes, Decodes, "16-bit grey"),
        ["pngsuite_basn2c16.png"] = (Decodes, Decodes, "16-bit RGB"),
        ["pngsuite_basn6a16.png"] = (Decodes, Decodes, "16-bit RGBA"),
        ["pngsuite_s01n3p01.png"] = (Decodes, Decodes, "1x1, upscaled"),
        ["pngsuite_tbrn2c08.png"] = (Decodes, Decodes, "tRNS transparent colour"),
        ["pngsuite_xcrn0g04.png"] = (nameof(ImageRejectionKind.UnknownFormat), nameof(ImageRejectionKind.UnknownFormat), "signature mangled by CR bytes"),
        ["pngsuite_xcsn0g01.png"] = (nameof(ImageRejectionKind.Corrupt), nameof(ImageRejectionKind.Corrupt), "IDAT CRC error"),
        ["pngsuite_xdtn0g01.png"] = (nameof(ImageRejectionKind.Corrupt), nameof(ImageRejectionKind.Corrupt), "no IDAT chunk"),
        ["pngsuite_xhdn0g08.png"] = (nameof(ImageRejectionKind.Corrupt), nameof(ImageRejectionKind.Corrupt), "IHDR CRC error"),
        ["pngsuite_xs1n0g01.png"] = (nameof(ImageRejectionKind.UnknownFormat), nameof(ImageRejectionKind.UnknownFormat), "signature byte 1 altered"),
        ["rgb32bf-rgba.bmp"] = (Decodes, Decodes, "32-bit BMP with alpha"),
        ["shira_bird8.bmp"] = (Decodes, Decodes, "24-bit BMP"),
        ["truncated_app14.jpg"] = (nameof(ImageRejectionKind.Corrupt), nameof(ImageRejectionKind.Corrupt), "ImageSharp's header parser fails on the short APP14 segment"),
        ["truncated_jpeg.jpg"] = (nameof(ImageRejectionKind.Corrupt), nameof(ImageRejectionKind.Corrupt), "no EOI after the scan: truncated"),
        ["ultrahdr.jpg"] = (nameof(ImageRejectionKind.Corrupt), nameof(ImageRejectionKind.Corrupt), "entropy data truncated, no EOI"),
    };

    public static TheoryData<string, string> DecoderAndEdgeFile()
    {
        var data = new TheoryData<string, string>();
        foreach (string decoder in ImageDecoderFactory.Names)
        {
            foreach (string file in Expected.Keys.Where(TestData.HasEdge).Order(StringComparer.Ordinal))
            {
                data.Add(decoder, file);
            }
        }

        return data;
    }

    [Fact]
    public void ExpectedOutcomes_EdgeFolder_ListsEveryFile()
    {
        // Act
        var files = TestData.EdgeNames();

        // Assert: every file has its recorded outcome; the repository's copy (a clone without ../shared) lacks only the
        // files tests/testdata/SOURCES.md leaves out on purpose.
        var recorded = Expected.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, SharedTestData.Present ? recorded : recorded.Where(TestData.HasEdge));
        Assert.All(recorded.Where(f => !TestData.HasEdge(f)), f => Assert.True(f.StartsWith("exif_", StringComparison.Ordinal) || f == "icc_profile_big.jpg", f));
    }

    [Theory]
    [MemberData(nameof(DecoderAndEdgeFile))]
    public void DecodeInto_EdgeFile_DecodesOrRejectsAsRecorded(string decoderName, string file)
    {
        // Arrange
        byte[] bytes = File.ReadAllBytes(TestData.Edge(file));
        var (imageSharp, skia, note) = Expected[file];
        string expected = decoderName == ImageSharpDecoder.DecoderName ? imageSharp : skia;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        // Act
        string outcome;
        float[]? tensor = null;
        try
        {
            tensor = Decoding.Decode(decoderName, bytes);
            outcome = Decodes;
        }
        catch (ImageRejectedException ex)
        {
            outcome = ex.Kind.ToString();
            output.WriteLine($"{decoderName} {file}: {ex.Kind}: {ex.Message}");
        }

        // Assert
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(expected == outcome, $"{file} ({note}): expected {expected}, got {outcome}");
        if (tensor is not null)
        {
            Assert.All(tensor, v => Assert.True(float.IsFinite(v)));
        }

        Assert.True(allocated < 128L * 1024 * 1024, $"{file}: {allocated} managed bytes allocated");
    }
}
