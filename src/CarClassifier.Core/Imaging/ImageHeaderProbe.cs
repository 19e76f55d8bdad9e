using System.Globalization;
using SixLabors.ImageSharp;

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
        if (format == ImageFormat.Unknown && ForeignFormats.Name(encoded) is { } foreign)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.UnsupportedFormat,
                $"the file is {foreign}, which is not accepted: convert it to JPEG or PNG (accepted: {string.Join(", ", limits.AcceptedFormats.Order())})");
        }

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

        // One walk over the file's segments or chunks, before any decoder parses them (issue 21: the probe's work is
        // bounded by the file's length, and its metadata by the limits below).
        var jpeg = format == ImageFormat.Jpeg ? JpegMarkers.Structure(encoded) : default;
        var metadata = format switch
        {
            ImageFormat.Jpeg => new MetadataLayout(jpeg.MetadataBytes, jpeg.MetadataSegments, jpeg.ExifOffset, jpeg.ExifLength),
            ImageFormat.Png => PngChunks.Walk(encoded),
            ImageFormat.Webp => WebpChunks.Walk(encoded),
            ImageFormat.Tiff => TiffStructure.Check(encoded, limits),
            _ => MetadataLayout.None,
        };
        if (format == ImageFormat.Gif)
        {
            GifFrameScanner.CheckFrames(encoded, limits);
        }

        if (metadata.Segments > limits.MaxMetadataSegments)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooLarge,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{format} image has {metadata.Segments} metadata segments, more than the limit of {limits.MaxMetadataSegments} ({limits.Setting(nameof(ImageLimits.MaxMetadataSegments))}): every decoder does work per segment, and photos have under 20"));
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
            return WithMetadata(new ImageHeader(format, canvasWidth, canvasHeight, 1), encoded, metadata, limits);
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
            CheckJpegStructure(jpeg, limits, (long)info.Width * info.Height);
        }

        return WithMetadata(new ImageHeader(format, info.Width, info.Height, 1), encoded, metadata, limits);
    }

    /// <summary>
    /// The header with its orientation (from the EXIF block the walk found, or a TIFF's own first directory: IFD0 only, see
    /// <see cref="ExifOrientation"/>) and what its metadata costs. No decoder's metadata reader is used: ImageSharp runs
    /// with <c>IgnoreMetadata</c>, and unreadable metadata means orientation 1, never a failed file.
    /// </summary>
    private static ImageHeader WithMetadata(ImageHeader header, ReadOnlySpan<byte> encoded, MetadataLayout metadata, ImageLimits limits)
    {
        int orientation = header.Format == ImageFormat.Tiff
            ? ExifOrientation.FromTiff(encoded)
            : ExifOrientation.FromExif(metadata.Exif(encoded));
        return header with
        {
            Orientation = orientation,
            MetadataBytes = metadata.Bytes,
            SkipMetadata = metadata.Bytes > limits.MaxMetadataBytes,
        };
    }

    private static void CheckJpegStructure(JpegLayout layout, ImageLimits limits, long pixels)
    {
        int scans = layout.Scans;
        if (!layout.EndOfImage)
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

        if (layout.EntropyDamage is { } damage)
        {
            // As a truncated file: decoders would fill the lost blocks with grey and the picture would be classified.
            throw new ImageRejectedException(
                ImageRejectionKind.Corrupt, $"Jpeg image data is damaged: {damage}; decoders fill the lost blocks with grey, so it is not classified");
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
}
