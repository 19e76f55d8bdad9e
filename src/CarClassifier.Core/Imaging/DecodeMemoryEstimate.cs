namespace CarClassifier.Core.Imaging;

/// <summary>
/// How many bytes a decoder needs to decode an image, from its header alone: width x height x the bytes per pixel
/// that decoder was measured to hold for that format, plus a fixed allowance for the crop window and tensor.
/// <para>
/// Measured (docs/RELIABILITY.md, hole 6): one 6000x6000 image per fresh process, the peak resident set (VmHWM, reset
/// after a warm-up decode) minus the resident set before, divided by the pixels. ImageSharp: JPEG 3.1, PNG (any depth,
/// interlaced or not), GIF, BMP, TIFF 4.1-4.2, WebP lossy 7.4, WebP lossless 12.1. Skia: PNG 4.2, but Adam7-interlaced
/// PNG 7.2 (8-bit RGB) and 12.2 (16-bit RGBA), because libpng keeps the whole interlaced image at its stored depth
/// besides the RGBA output; GIF, BMP, WebP lossless 4.2; JPEG and lossy WebP 0.1 (decoded DCT-scaled, 4 bytes per
/// decoded pixel). TurboJPEG: JPEG 0.12. The factors below round those up by about 8%.
/// </para>
/// </summary>
public static class DecodeMemoryEstimate
{
    /// <summary>The crop window, the tensor and the decoder's own state, whatever the image size.</summary>
    public const long FixedBytes = 2L * 1024 * 1024;

    private const double RgbaBytesPerPixel = 4.5;

    /// <summary>Estimated bytes <paramref name="decoderName"/> holds while decoding the image <paramref name="header"/> describes.</summary>
    public static long Bytes(string decoderName, ImageHeader header, ReadOnlySpan<byte> encoded, PreprocessRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(decoderName);
        ArgumentNullException.ThrowIfNull(recipe);
        double pixels = (double)Math.Max(0, header.StoredWidth) * Math.Max(0, header.StoredHeight);
        double perPixel = string.Equals(decoderName, ImageSharpDecoder.DecoderName, StringComparison.OrdinalIgnoreCase)
            ? ImageSharpBytesPerPixel(header.Format)
            : NativeBytesPerPixel(header, encoded, recipe);
        double total = (pixels * perPixel) + FixedBytes + MetadataBytes(decoderName, header, encoded.Length);
        return total >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(total);
    }

    /// <summary>
    /// What the file's metadata costs on top of the pixels (issue 21). ImageSharp reads none (IgnoreMetadata) except a
    /// TIFF's directories, which it copies field by field. Skia (and TurboJPEG, whose fallback it is) keeps the JPEG APPn
    /// segments it saves and a joined ICC profile: twice the metadata bytes. Metadata over
    /// <see cref="ImageLimits.MaxMetadataBytes"/> is stripped first instead, which costs a copy of the file.
    /// </summary>
    private static double MetadataBytes(string decoderName, ImageHeader header, int encodedLength)
    {
        bool imageSharp = string.Equals(decoderName, ImageSharpDecoder.DecoderName, StringComparison.OrdinalIgnoreCase);
        if (header.Format == ImageFormat.Tiff)
        {
            return 2.0 * header.MetadataBytes;
        }

        if (imageSharp)
        {
            return 0;
        }

        return header.SkipMetadata ? encodedLength : 2.0 * header.MetadataBytes;
    }

    private static double ImageSharpBytesPerPixel(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => 3.5,
        ImageFormat.Webp => 13.0, // lossless; lossy measured 7.4, but telling them apart means walking the chunks
        _ => RgbaBytesPerPixel,
    };

    /// <summary>Skia, and TurboJPEG (JPEG; everything else goes to Skia). TIFF goes to ImageSharp from both.</summary>
    private static double NativeBytesPerPixel(ImageHeader header, ReadOnlySpan<byte> encoded, PreprocessRecipe recipe)
    {
        switch (header.Format)
        {
            case ImageFormat.Jpeg:
                // Decoded at 1/8, 1/4 or 1/2 while the shorter side keeps twice the resize target (SkiaDecoder, TurboJpegDecoder).
                double shorter = Math.Min(header.StoredWidth, header.StoredHeight);
                double scale = 1.0;
                foreach (double candidate in (ReadOnlySpan<double>)[0.125, 0.25, 0.5])
                {
                    if (shorter * candidate >= 2.0 * recipe.ResizeShorterSide)
                    {
                        scale = candidate;
                        break;
                    }
                }

                return RgbaBytesPerPixel * scale * scale;
            case ImageFormat.Png:
                return RgbaBytesPerPixel + PngInterlaceBytesPerPixel(encoded);
            case ImageFormat.Tiff:
                return ImageSharpBytesPerPixel(header.Format);
            default:
                return RgbaBytesPerPixel;
        }
    }

    /// <summary>
    /// For an Adam7-interlaced PNG, the bytes per pixel of the whole stored image libpng keeps (channels x sample bytes);
    /// 0 for a PNG that is not interlaced. Reads the IHDR chunk, which the probe has already found at its fixed place.
    /// </summary>
    private static double PngInterlaceBytesPerPixel(ReadOnlySpan<byte> png)
    {
        if (png.Length < 29 || png[28] != 1) return 0;
        int bitDepth = png[24];
        int channels = png[25] switch
        {
            0 => 1, // grey
            2 => 3, // RGB
            3 => 1, // palette
            4 => 2, // grey + alpha
            6 => 4, // RGBA
            _ => 4,
        };
        // Depths under 8 are expanded to a byte per sample as rows are combined.
        return channels * Math.Max(1, bitDepth / 8) + 0.5;
    }
}
