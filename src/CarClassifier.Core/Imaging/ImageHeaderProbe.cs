using System.Buffers.Binary;
using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Reads an image's format, size and EXIF orientation from its header, before any pixel buffer is
/// allocated, and rejects what the limits do not allow. Every decoder calls this first, so all of them
/// accept and reject the same files for the same reasons.
/// </summary>
public static class ImageHeaderProbe
{
    /// <summary>
    /// Probes <paramref name="encoded"/>; throws <see cref="ImageRejectedException"/> with a clear reason, and nothing
    /// else but cancellation or out-of-memory: any other exception from the parsing below is turned into a rejection.
    /// </summary>
    public static ImageHeader Probe(ReadOnlySpan<byte> encoded, ImageLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        try
        {
            return ProbeUnguarded(encoded, limits);
        }
        catch (Exception ex) when (DecodeFailures.IsDataError(ex))
        {
            throw DecodeFailures.Unexpected(encoded, ex);
        }
    }

    private static ImageHeader ProbeUnguarded(ReadOnlySpan<byte> encoded, ImageLimits limits)
    {
        if (encoded.IsEmpty)
        {
            throw new ImageRejectedException(ImageRejectionKind.Empty, "image is empty (0 bytes)");
        }

        var format = ImageFormatSniffer.Detect(encoded);
        if (format == ImageFormat.Unknown)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.UnknownFormat,
                $"not a recognised image format (first bytes: {Convert.ToHexString(encoded[..Math.Min(8, encoded.Length)])})");
        }

        if (!limits.AcceptedFormats.Contains(format))
        {
            throw new ImageRejectedException(
                ImageRejectionKind.UnsupportedFormat,
                $"{format} images are not accepted ({limits.Setting(nameof(ImageLimits.AcceptedFormats))}: {string.Join(", ", limits.AcceptedFormats.Order())})");
        }

        var detector = ImageSharpSettings.DetectorFor(format)
            ?? throw new ImageRejectedException(ImageRejectionKind.UnsupportedFormat, $"{format} images cannot be decoded by this build");

        if (format == ImageFormat.Gif)
        {
            GifFrameScanner.CheckFrames(encoded, limits);
        }
        else if (format == ImageFormat.Tiff)
        {
            TiffStructure.Check(encoded);
        }
        else if (format == ImageFormat.Webp)
        {
            CheckWebpChunks(encoded);
        }
        else if (format == ImageFormat.Png)
        {
            CheckPngChunks(encoded);
        }

        IImageInfo? info;
        try
        {
            info = Identify(encoded, detector);
        }
        catch (NotSupportedException) when (format == ImageFormat.Webp && TryReadWebpCanvas(encoded, out int canvasWidth, out int canvasHeight))
        {
            // ImageSharp 2.1 refuses to identify animated WebP; the VP8X header still gives the canvas size,
            // so the limits apply and decoders that can read the first frame (Skia) may do so.
            CheckSize(canvasWidth, canvasHeight, limits, "image");
            return new ImageHeader(format, canvasWidth, canvasHeight, 1);
        }
        catch (Exception ex) when (DecodeFailures.IsDataError(ex))
        {
            throw DecodeFailures.Corrupt(format, "image", ex);
        }

        if (info is null || info.Width <= 0 || info.Height <= 0)
        {
            throw new ImageRejectedException(ImageRejectionKind.Corrupt, $"{format} header could not be read");
        }

        CheckSize(info.Width, info.Height, limits, "image");
        if (format == ImageFormat.Jpeg)
        {
            CheckJpegStructure(encoded, limits, (long)info.Width * info.Height);
        }

        int orientation = format switch
        {
            ImageFormat.Webp => ReadWebpOrientation(encoded),
            ImageFormat.Png => ReadPngOrientation(encoded),
            _ => ReadOrientation(info),
        };
        return new ImageHeader(format, info.Width, info.Height, orientation);
    }

    private static void CheckJpegStructure(ReadOnlySpan<byte> jpeg, ImageLimits limits, long pixels)
    {
        var (endOfImage, scans) = JpegMarkers.Structure(jpeg);
        if (!endOfImage)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.Corrupt, "Jpeg image is truncated: the data ends before the end-of-image marker");
        }

        if (scans > limits.MaxJpegScans)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooLarge,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Jpeg image has {scans} scans, more than the limit of {limits.MaxJpegScans} ({limits.Setting(nameof(ImageLimits.MaxJpegScans))}): every scan revisits every block, so such files cost minutes of CPU to decode"));
        }

        long work = pixels * scans;
        if (work > limits.MaxJpegScanPixels)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooLarge,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Jpeg image would cost {pixels} pixels x {scans} scans = {work} pixel-scans to decode, over the limit of {limits.MaxJpegScanPixels} ({limits.Setting(nameof(ImageLimits.MaxJpegScanPixels))}): every scan revisits every block"));
        }
    }

    /// <summary>
    /// Walks the PNG chunks up to the image data: an IDAT chunk (or any chunk before the first IDAT) that claims more
    /// bytes than the file holds means the image data is cut short. Skia reports such files as incomplete, but
    /// ImageSharp 2.1's inflater can spin for tens of seconds on them (found by DecoderFuzzTests: pil123rgba.png cut
    /// inside its second IDAT), so the probe rejects them for every decoder, as it does JPEGs without their end marker.
    /// Chunks after the image data may be damaged without harm, as viewers accept.
    /// </summary>
    private static void CheckPngChunks(ReadOnlySpan<byte> png)
    {
        long offset = 8;
        bool seenImageData = false;
        while (offset + 8 <= png.Length)
        {
            int at = (int)offset;
            long size = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(at, 4));
            var type = png.Slice(at + 4, 4);
            bool imageData = type.SequenceEqual("IDAT"u8);
            long remaining = png.Length - (offset + 8);
            if (size + 4 > remaining)
            {
                if (imageData || !seenImageData)
                {
                    string name = System.Text.Encoding.ASCII.GetString(type);
                    throw new ImageRejectedException(
                        ImageRejectionKind.Corrupt,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"Png image is truncated: a {SafeChunkName(name)} chunk claims {size} bytes (plus its checksum), but only {remaining} remain in the file"));
                }

                return;
            }

            if (seenImageData && !imageData)
            {
                return; // the image data is complete
            }

            seenImageData |= imageData;
            offset += 8 + size + 4;
        }

        if (!seenImageData)
        {
            throw new ImageRejectedException(ImageRejectionKind.Corrupt, "Png image is truncated: the file ends before any image data (IDAT)");
        }
    }

    /// <summary>A chunk type as text when it is four ASCII letters, as hex otherwise (so a reason never carries control bytes).</summary>
    private static string SafeChunkName(string type) =>
        type.All(char.IsAsciiLetter) ? type : Convert.ToHexString(System.Text.Encoding.Latin1.GetBytes(type));

    /// <summary>
    /// Walks the RIFF chunks of a WebP file: a chunk the decoders read (image data, alpha, animation frames, metadata)
    /// whose size field claims more bytes than the file holds is truncated data. ImageSharp 2.1 allocates an array of the
    /// claimed size for EXIF, ICCP and XMP chunks first (0x7FFFFFF0 bytes: a 2 GB allocation or an OutOfMemoryException),
    /// so such files are rejected here. Unknown chunks past the image (JUNK) are skipped, as libwebp does.
    /// </summary>
    private static void CheckWebpChunks(ReadOnlySpan<byte> webp)
    {
        // The extended header is 10 bytes by the specification; decoders read it as such whatever its size field says,
        // so a different size would make this walk and the decoder's disagree about where the next chunk starts.
        if (webp.Length >= 20 && webp.Slice(12, 4).SequenceEqual("VP8X"u8) && BinaryPrimitives.ReadUInt32LittleEndian(webp.Slice(16, 4)) != 10)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.Corrupt,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Webp image is corrupt: its VP8X header chunk says {BinaryPrimitives.ReadUInt32LittleEndian(webp.Slice(16, 4))} bytes; the format fixes it at 10"));
        }

        long offset = 12;
        while (offset + 8 <= webp.Length)
        {
            int at = (int)offset;
            long size = BinaryPrimitives.ReadUInt32LittleEndian(webp.Slice(at + 4, 4));
            long remaining = webp.Length - (offset + 8);
            if (size > remaining)
            {
                var fourcc = webp.Slice(at, 4);
                if (fourcc.SequenceEqual("EXIF"u8) || fourcc.SequenceEqual("ICCP"u8) || fourcc.SequenceEqual("XMP "u8)
                    || fourcc.SequenceEqual("ALPH"u8) || fourcc.SequenceEqual("ANMF"u8) || fourcc.SequenceEqual("VP8X"u8))
                {
                    string name = System.Text.Encoding.ASCII.GetString(fourcc).Trim();
                    throw new ImageRejectedException(
                        ImageRejectionKind.Corrupt,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"Webp image is corrupt: its {name} chunk claims {size} bytes, but only {remaining} remain in the file (truncated or damaged)"));
                }

                return; // image data cut short is left to the decoders (they report truncation); unknown chunks are ignored
            }

            offset += 8 + size + (size & 1);
        }
    }

    /// <summary>
    /// ImageSharp 2.1 does not surface a WebP file's EXIF chunk when identifying, so find the RIFF "EXIF" chunk
    /// here (Skia and Pillow both honour its orientation).
    /// </summary>
    private static int ReadWebpOrientation(ReadOnlySpan<byte> webp)
    {
        // Offsets and sizes are long: a chunk size is a 32-bit unsigned field, and offset + size must never wrap
        // (a 0xFFFFFFF0 JUNK chunk once made int arithmetic slice outside the file).
        long offset = 12; // "RIFF" size "WEBP"
        while (offset + 8 <= webp.Length)
        {
            int at = (int)offset;
            long size = BinaryPrimitives.ReadUInt32LittleEndian(webp.Slice(at + 4, 4));
            int dataStart = at + 8;
            long remaining = webp.Length - dataStart;
            if (webp.Slice(at, 4).SequenceEqual("EXIF"u8))
            {
                return OrientationFromExif(webp.Slice(dataStart, (int)Math.Min(size, remaining)));
            }

            if (size > remaining)
            {
                break; // the chunk claims more than the file holds: no further chunk to read
            }

            offset = dataStart + size + (size & 1);
        }

        return 1;
    }

    /// <summary>
    /// PNG metadata is skipped by the decoder (text chunks can inflate to hundreds of MB: png_decompression_dos.png),
    /// so read the orientation from the "eXIf" chunk here.
    /// </summary>
    private static int ReadPngOrientation(ReadOnlySpan<byte> png)
    {
        // long, as for WebP: a chunk length of 0x7FFFFFF0 or 0xFFFFFFFF must end the walk, not wrap the offset.
        long offset = 8; // signature
        while (offset + 8 <= png.Length)
        {
            int at = (int)offset;
            long size = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(at, 4));
            var type = png.Slice(at + 4, 4);
            int dataStart = at + 8;
            long remaining = png.Length - dataStart;
            if (type.SequenceEqual("eXIf"u8))
            {
                return OrientationFromExif(png.Slice(dataStart, (int)Math.Min(size, remaining)));
            }

            if (type.SequenceEqual("IEND"u8) || size > remaining)
            {
                break;
            }

            offset = dataStart + size + 4; // data and CRC
        }

        return 1;
    }

    private static int OrientationFromExif(ReadOnlySpan<byte> exif)
    {
        if (exif.StartsWith("Exif\0\0"u8))
        {
            exif = exif[6..];
        }

        try
        {
            ushort? value = new ExifProfile(exif.ToArray()).GetValue(ExifTag.Orientation)?.Value;
            return value is >= 1 and <= 8 ? value.Value : 1;
        }
        catch (Exception ex) when (DecodeFailures.IsDataError(ex))
        {
            return 1; // unreadable EXIF: show the pixels as stored, as viewers do
        }
    }

    /// <summary>Canvas size from a WebP extended header (VP8X): 24-bit little-endian width-1 and height-1.</summary>
    private static bool TryReadWebpCanvas(ReadOnlySpan<byte> webp, out int width, out int height)
    {
        width = height = 0;
        if (webp.Length < 30 || !webp.Slice(12, 4).SequenceEqual("VP8X"u8))
        {
            return false;
        }

        width = 1 + (webp[24] | (webp[25] << 8) | (webp[26] << 16));
        height = 1 + (webp[27] | (webp[28] << 8) | (webp[29] << 16));
        return true;
    }

    /// <summary>Rejects a width x height over <see cref="ImageLimits.MaxDimension"/> or <see cref="ImageLimits.MaxPixels"/>.</summary>
    internal static void CheckSize(int width, int height, ImageLimits limits, string what)
    {
        long pixels = (long)width * height;
        if (pixels > limits.MaxPixels)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooLarge,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{what} is {width}x{height} = {pixels} pixels, over the limit of {limits.MaxPixels} ({limits.Setting(nameof(ImageLimits.MaxPixels))})"));
        }

        int side = Math.Max(width, height);
        if (side > limits.MaxDimension)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooLarge,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{what} is {width}x{height}: a side of {side} pixels is over the limit of {limits.MaxDimension} ({limits.Setting(nameof(ImageLimits.MaxDimension))})"));
        }
    }

    private static unsafe IImageInfo? Identify(ReadOnlySpan<byte> encoded, SixLabors.ImageSharp.Formats.IImageInfoDetector detector)
    {
        fixed (byte* start = encoded)
        {
            using var stream = new UnmanagedMemoryStream(start, encoded.Length);
            return detector.Identify(ImageSharpSettings.Configuration, stream, CancellationToken.None);
        }
    }

    private static int ReadOrientation(IImageInfo info)
    {
        ushort? value = info.Metadata.ExifProfile?.GetValue(ExifTag.Orientation)?.Value;
        return value is >= 1 and <= 8 ? value.Value : 1;
    }
}
