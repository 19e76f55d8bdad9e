using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// The one ImageSharp <see cref="SixLabors.ImageSharp.Configuration"/> the imaging code uses (never the global default,
/// which other code may change), and the decoder for each sniffed format.
/// </summary>
internal static class ImageSharpSettings
{
    /// <summary>Backstop for a single buffer; the header probe rejects oversized images long before this.</summary>
    public const int AllocationLimitMegabytes = 1024;

    // Metadata off for every format: the classifier needs only the EXIF orientation, which the header probe reads itself
    // with bounded work (ExifOrientation). ImageSharp 2.1 inflates PNG zTXt/iTXt chunks without a size limit, so a 6 KB
    // file can cost 160 MB (png_decompression_dos.png); its ExifProfile copies every entry's value (issue 21: 16 JPEGs of
    // 60 KB whose thousands of EXIF entries point at one region took a host to 4.2 GB, and 65,535 tiny entries cost a
    // minute of CPU) and it joins ICC chunks by copying (800 APP2 chunks: 13-20 s). With IgnoreMetadata none of it is read.
    // APP14 (Adobe colour transform) and JFIF are not metadata to ImageSharp and are still honoured.
    private static readonly JpegDecoder Jpeg = new() { IgnoreMetadata = true };
    private static readonly PngDecoder Png = new() { IgnoreMetadata = true };
    private static readonly GifDecoder Gif = new() { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true };
    private static readonly BmpDecoder Bmp = new();
    private static readonly WebpDecoder Webp = new() { IgnoreMetadata = true };
    private static readonly TiffDecoder Tiff = new() { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true };

    /// <summary>
    /// One thread per decode: the pipeline decodes many images at once, so per-image parallelism only adds
    /// scheduling overhead and contention. Allocations go through a pool with a per-buffer limit.
    /// </summary>
    public static SixLabors.ImageSharp.Configuration Configuration { get; } = new(
        new JpegConfigurationModule(),
        new PngConfigurationModule(),
        new GifConfigurationModule(),
        new BmpConfigurationModule(),
        new WebpConfigurationModule(),
        new TiffConfigurationModule())
    {
        MaxDegreeOfParallelism = 1,
        MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = AllocationLimitMegabytes }),
    };

    /// <summary>The decoder for a sniffed format, or null when ImageSharp 2.1 cannot read it (AVIF, HEIF).</summary>
    public static SixLabors.ImageSharp.Formats.IImageDecoder? DecoderFor(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => Jpeg,
        ImageFormat.Png => Png,
        ImageFormat.Gif => Gif,
        ImageFormat.Bmp => Bmp,
        ImageFormat.Webp => Webp,
        ImageFormat.Tiff => Tiff,
        _ => null,
    };

    /// <summary>The header reader for a sniffed format, or null when there is none.</summary>
    public static IImageInfoDetector? DetectorFor(ImageFormat format) => DecoderFor(format) as IImageInfoDetector;

    /// <summary>
    /// Decodes an image the header probe accepted and keeps only its first frame (animated GIF/WebP, multi-page TIFF:
    /// the first frame is the picture), under the total failure policy: whatever the decoder throws on these bytes
    /// becomes a Corrupt rejection. The classifier's decoder and the report's previews share it.
    /// </summary>
    public static Image<TPixel> LoadFirstFrame<TPixel>(ReadOnlySpan<byte> encoded, ImageFormat format)
        where TPixel : unmanaged, SixLabors.ImageSharp.PixelFormats.IPixel<TPixel>
    {
        var decoder = DecoderFor(format)
            ?? throw new ImageRejectedException(ImageRejectionKind.UnsupportedFormat, $"{format} images cannot be decoded by this build");
        Image<TPixel> image;
        try
        {
            image = Image.Load<TPixel>(Configuration, encoded, decoder);
        }
        catch (Exception ex) when (DecodeFailures.IsDataError(ex))
        {
            throw DecodeFailures.Corrupt(format, "pixel data", ex);
        }

        try
        {
            while (image.Frames.Count > 1)
            {
                image.Frames.RemoveFrame(image.Frames.Count - 1);
            }

            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }
}
