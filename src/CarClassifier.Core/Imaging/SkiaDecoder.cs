using System.Buffers;
using SkiaSharp;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Native decoder built on SkiaSharp (libjpeg-turbo, libpng, libwebp, Skia's GIF and BMP codecs).
/// JPEG and WebP are decoded already scaled down (JPEG by 1/2, 1/4 or 1/8 in the DCT) to the smallest size
/// whose shorter side still covers <see cref="MinimumOversample"/> times the resize target, which is what makes
/// it fast on camera-size photos; then <see cref="AntialiasedBilinearResampler"/> resizes to the exact target.
/// Skia has no TIFF codec and no 12-bit JPEG support, so files its codecs cannot open go to
/// <see cref="ImageSharpDecoder"/> (same geometry and tensor code). Thread-safe; holds no state.
/// </summary>
public sealed class SkiaDecoder : IImageDecoder
{
    public const string DecoderName = "skia";

    private static readonly ImageSharpDecoder Fallback = new();

    public string Name => DecoderName;

    /// <summary>
    /// DCT scaling is used only while the decoded shorter side stays at least this many times the resize
    /// target. 1.0 is fastest (e.g. 1920x1080 decodes at 480x270) but DCT downscaling is sharper than the
    /// antialiased bilinear the model was trained with: measured against ImageSharp over shared/testdata/photos,
    /// 1.0 gave a worst mean absolute difference of 0.060 (p99 0.55) in normalised units, 2.0 gave 0.023
    /// (p99 0.24) for about 15% more time on a 1080p JPEG. Default 2.0.
    /// </summary>
    public double MinimumOversample { get; init; } = 2.0;

    public DecodedImageInfo DecodeInto(ReadOnlySpan<byte> encoded, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
    {
        DecoderGuards.Check(recipe, limits, destination);
        ImageHeader header = ImageHeaderProbe.Probe(encoded, limits);
        if (header.Format == ImageFormat.Tiff)
        {
            return Fallback.DecodeInto(encoded, recipe, limits, destination);
        }

        using SKData data = SKData.CreateCopy(encoded);
        using SKCodec? codec = SKCodec.Create(data);
        if (codec is null)
        {
            // The header probe read this file, but Skia's codecs cannot (e.g. 12-bit JPEG: Skia's libjpeg-turbo
            // is built for 8-bit samples only). ImageSharp either decodes it or rejects it with its own reason.
            return Fallback.DecodeInto(encoded, recipe, limits, destination);
        }

        SKImageInfo full = codec.Info;
        // Orientation comes from the shared probe, not codec.EncodedOrigin: Skia reports TopLeft for WebP and PNG
        // files whose EXIF says otherwise (hopper_orientation_6.webp, PNG eXIf), while Pillow's exif_transpose
        // honours them. For JPEG the two agree.
        int orientation = header.Orientation;
        var plan = PreprocessPlan.Create(full.Width, full.Height, orientation, recipe);

        SKSizeI decodeSize = ChooseDecodeSize(codec, full, recipe.ResizeShorterSide * MinimumOversample);
        var decodeInfo = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap();
        if (!decoded.TryAllocPixels(decodeInfo))
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooLarge, $"{header.Format} image of {decodeSize.Width}x{decodeSize.Height} could not be allocated");
        }

        // IncompleteInput and ErrorInInput mean Skia filled part of the picture itself; like ImageSharp, which throws
        // on such data, treat them as corrupt rather than classify a partly blank image.
        SKCodecResult result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            var kind = result is SKCodecResult.Unimplemented or SKCodecResult.InvalidConversion
                ? ImageRejectionKind.UnsupportedFormat
                : ImageRejectionKind.Corrupt;
            throw new ImageRejectedException(kind, $"{header.Format} pixel data could not be decoded by Skia ({result})");
        }

        int windowBytes = plan.WindowWidth * plan.WindowHeight * 4;
        byte[] window = ArrayPool<byte>.Shared.Rent(windowBytes);
        try
        {
            AntialiasedBilinearResampler.ResizeWindow(
                decoded.GetPixelSpan(), decodeInfo.Width, decodeInfo.Height, decoded.RowBytes,
                plan.ResizedWidth, plan.ResizedHeight, plan.WindowX, plan.WindowY, plan.WindowWidth, plan.WindowHeight,
                window.AsSpan(0, windowBytes));
            TensorWriter.Write(
                window.AsSpan(0, windowBytes), plan.WindowWidth * 4, WindowPixelFormat.Rgba32Premultiplied, plan, recipe, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }

        return new ImageHeader(header.Format, full.Width, full.Height, orientation).ToInfo();
    }

    /// <summary>The smallest size the codec can decode to directly whose shorter side is still at least <paramref name="minimumShorterSide"/>.</summary>
    private static SKSizeI ChooseDecodeSize(SKCodec codec, SKImageInfo full, double minimumShorterSide)
    {
        foreach (float scale in (ReadOnlySpan<float>)[0.125f, 0.25f, 0.5f])
        {
            SKSizeI size = codec.GetScaledDimensions(scale);
            if (size.Width > 0 && size.Height > 0 && Math.Min(size.Width, size.Height) >= minimumShorterSide)
            {
                return size;
            }
        }

        return full.Size;
    }
}
