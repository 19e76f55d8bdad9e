using System.Buffers;
using SkiaSharp;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Native decoder built on SkiaSharp (libjpeg-turbo, libpng, libwebp, Skia's GIF and BMP codecs).
/// JPEG and WebP are decoded already scaled down (JPEG by 1/2, 1/4 or 1/8 in the DCT) to the smallest size
/// whose shorter side still covers <see cref="MinimumOversample"/> times the resize target, which is what makes
/// it fast on camera-size photos; a JPEG is moreover decoded only over the rows and columns the centre crop needs.
/// Then <see cref="AntialiasedBilinearResampler"/> (Pillow's integer arithmetic) resizes to the exact target.
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
    /// target. 1.0 (Pillow's own draft rule) is fastest (1920x1080 decodes at 480x270, 4032x3024 at 504x378) but
    /// DCT downscaling by 4-8 is sharper than the antialiased bilinear the model was trained with. Measured against
    /// Pillow's full-size torchvision recipe on the 23 photos in shared/testdata/photos that 1.0 scales (normalised
    /// units, one 8-bit level is 0.0175): 1.0 median p99 0.19 (11 levels), worst p99 0.55, worst mean 0.063;
    /// 1.5 median p99 0.035, worst p99 0.24; 2.0 median p99 0.000, worst p99 0.24, worst mean 0.023 (ImageSharp
    /// itself: worst p99 0.05). 1.0 was 1.2x (1080p) and 1.1x (12 MP) faster per image than 2.0, but
    /// 11-31 levels at p99 is not "a few levels", and 2.0 already beats Pillow-draft doing the same work
    /// (docs/PERFORMANCE.md). 1.5 decodes 1080p and 4032x3024 at the same scale as 2.0. Default 2.0.
    /// </summary>
    public double MinimumOversample { get; init; } = 2.0;

    public DecodedImageInfo DecodeInto(ReadOnlySpan<byte> encoded, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
        => Decode(encoded, header: null, recipe, limits, destination);

    public DecodedImageInfo DecodeInto(ReadOnlySpan<byte> encoded, ImageHeader header, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
        => Decode(encoded, header, recipe, limits, destination);

    private DecodedImageInfo Decode(ReadOnlySpan<byte> encoded, ImageHeader? header, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
    {
        DecoderGuards.Check(recipe, limits, destination);
        try
        {
            return DecodeProbed(encoded, header ?? ImageHeaderProbe.Probe(encoded, limits), recipe, destination);
        }
        catch (Exception ex) when (DecodeFailures.IsDataError(ex))
        {
            // Total failure policy: nothing but a rejection leaves a decoder (see DecodeFailures.Unexpected).
            throw DecodeFailures.Unexpected(encoded, ex);
        }
    }

    /// <summary>The decode proper, for a header the caller has already probed (the turbojpeg decoder's fallback).</summary>
    internal DecodedImageInfo DecodeProbed(ReadOnlySpan<byte> encoded, ImageHeader header, PreprocessRecipe recipe, Span<float> destination)
    {
        if (header.Format == ImageFormat.Tiff)
        {
            return Fallback.DecodeProbed(encoded, header, recipe, destination);
        }

        if (header.SkipMetadata && header.Format is ImageFormat.Jpeg or ImageFormat.Png)
        {
            // Over Classifier:MaxMetadataBytes: libjpeg keeps every APPn segment Skia asks it to save (EXIF, ICC, XMP)
            // and Skia joins the ICC chunks; libpng inflates iCCP and text chunks. None of it changes the pixels here (no
            // colour conversion), so decode a copy without it: memory proportional to the file, counted in the budget
            // (DecodeMemoryEstimate).
            byte[] stripped = GC.AllocateUninitializedArray<byte>(encoded.Length);
            int length = header.Format == ImageFormat.Jpeg ? JpegMarkers.Strip(encoded, stripped) : PngChunks.Strip(encoded, stripped);
            return DecodeProbed(stripped.AsSpan(0, length), header with { SkipMetadata = false, MetadataBytes = 0 }, recipe, destination);
        }

        // Skia reads the caller's bytes in place (no copy of the whole file): they stay pinned until the codec is gone.
        unsafe
        {
            fixed (byte* bytes = encoded)
            {
                using var data = SKData.Create((IntPtr)bytes, encoded.Length);
                using var codec = SKCodec.Create(data);
                if (codec is null)
                {
                    // The header probe read this file, but Skia's codecs cannot (e.g. 12-bit JPEG: Skia's libjpeg-turbo
                    // is built for 8-bit samples only). ImageSharp either decodes it or rejects it with its own reason.
                    return Fallback.DecodeProbed(encoded, header, recipe, destination);
                }

                return Decode(codec, header, recipe, destination);
            }
        }
    }

    private DecodedImageInfo Decode(SKCodec codec, ImageHeader header, PreprocessRecipe recipe, Span<float> destination)
    {
        var full = codec.Info;
        // Orientation comes from the shared probe, not codec.EncodedOrigin: Skia reports TopLeft for WebP and PNG
        // files whose EXIF says otherwise (hopper_orientation_6.webp, PNG eXIf), while Pillow's exif_transpose
        // honours them. For JPEG the two agree.
        var plan = PreprocessPlan.Create(full.Width, full.Height, header.Orientation, recipe);

        var decodeSize = ChooseDecodeSize(codec, full, recipe.ResizeShorterSide * MinimumOversample);
        var horizontal = ResamplingKernel.Create(decodeSize.Width, plan.ResizedWidth, plan.WindowX, plan.WindowWidth);
        var vertical = ResamplingKernel.Create(decodeSize.Height, plan.ResizedHeight, plan.WindowY, plan.WindowHeight);

        int windowBytes = plan.WindowWidth * plan.WindowHeight * 4;
        byte[] window = ArrayPool<byte>.Shared.Rent(windowBytes);
        try
        {
            if (header.Format != ImageFormat.Jpeg || !TryDecodeJpegRegion(codec, decodeSize, horizontal, vertical, window.AsSpan(0, windowBytes)))
            {
                DecodeWhole(codec, header, decodeSize, horizontal, vertical, window.AsSpan(0, windowBytes));
            }

            TensorWriter.Write(
                window.AsSpan(0, windowBytes), plan.WindowWidth * 4, WindowPixelFormat.Rgba32Premultiplied, plan, recipe, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }

        return new ImageHeader(header.Format, full.Width, full.Height, header.Orientation).ToInfo();
    }

    /// <summary>
    /// JPEG: decode only the source rectangle the resize reads. The 224 crop of a 256-short-side resize keeps about
    /// half the columns of a 16:9 photo and 7/8 of its rows; libjpeg-turbo skips the other columns' IDCT and colour
    /// conversion (<c>jpeg_crop_scanline</c>, aligned to the iMCU by Skia), stops after the last row needed and only
    /// entropy-decodes the rows above the first. Truncated files never get here: the header probe rejects a JPEG
    /// without its end-of-image marker. Returns false where Skia cannot decode that way (the caller decodes it whole).
    /// </summary>
    private static bool TryDecodeJpegRegion(
        SKCodec codec, SKSizeI decodeSize, ResamplingKernel horizontal, ResamplingKernel vertical, Span<byte> window)
    {
        var subset = SKRectI.Create(horizontal.First, 0, horizontal.Span, decodeSize.Height);
        var info = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        if (codec.StartScanlineDecode(info, new SKCodecOptions(subset)) != SKCodecResult.Success
            || codec.ScanlineOrder != SKCodecScanlineOrder.TopDown)
        {
            return false;
        }

        int rowBytes = horizontal.Span * 4;
        int rows = vertical.Span;
        byte[] region = ArrayPool<byte>.Shared.Rent(rows * rowBytes);
        try
        {
            int decoded;
            unsafe
            {
                fixed (byte* pixels = region)
                {
                    decoded = codec.SkipScanlines(vertical.First) ? codec.GetScanlines((IntPtr)pixels, rows, rowBytes) : 0;
                }
            }

            if (decoded != rows)
            {
                throw new ImageRejectedException(ImageRejectionKind.Corrupt, "Jpeg pixel data could not be decoded by Skia (scanlines missing)");
            }

            AntialiasedBilinearResampler.ResizeWindow(region.AsSpan(0, rows * rowBytes), rowBytes, horizontal.First, vertical.First, horizontal, vertical, window);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(region);
        }
    }

    /// <summary>Every other format (and any JPEG Skia will not decode by scanlines): the whole image at <paramref name="decodeSize"/>.</summary>
    private static void DecodeWhole(
        SKCodec codec, ImageHeader header, SKSizeI decodeSize, ResamplingKernel horizontal, ResamplingKernel vertical, Span<byte> window)
    {
        var decodeInfo = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap();
        if (!decoded.TryAllocPixels(decodeInfo))
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooLarge, $"{header.Format} image of {decodeSize.Width}x{decodeSize.Height} could not be allocated");
        }

        // IncompleteInput and ErrorInInput mean Skia filled part of the picture itself; like ImageSharp, which throws
        // on such data, treat them as corrupt rather than classify a partly blank image.
        var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            var kind = result is SKCodecResult.Unimplemented or SKCodecResult.InvalidConversion
                ? ImageRejectionKind.UnsupportedFormat
                : ImageRejectionKind.Corrupt;
            throw new ImageRejectedException(kind, $"{header.Format} pixel data could not be decoded by Skia ({result})");
        }

        AntialiasedBilinearResampler.ResizeWindow(decoded.GetPixelSpan(), decoded.RowBytes, 0, 0, horizontal, vertical, window);
    }

    /// <summary>The smallest size the codec can decode to directly whose shorter side is still at least <paramref name="minimumShorterSide"/>.</summary>
    private static SKSizeI ChooseDecodeSize(SKCodec codec, SKImageInfo full, double minimumShorterSide)
    {
        foreach (float scale in (ReadOnlySpan<float>)[0.125f, 0.25f, 0.5f])
        {
            var size = codec.GetScaledDimensions(scale);
            if (size.Width > 0 && size.Height > 0 && Math.Min(size.Width, size.Height) >= minimumShorterSide)
            {
                return size;
            }
        }

        return full.Size;
    }
}
