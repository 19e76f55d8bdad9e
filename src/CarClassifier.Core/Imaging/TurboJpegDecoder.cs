using System.Buffers;
using CarClassifier.Core.Imaging.TurboJpeg;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// JPEG decoder built on the system's libjpeg-turbo through its TurboJPEG API: the same library family Skia bundles,
/// but the distribution's build, which has the SIMD IDCT, upsampling and colour conversion Skia's bundled copy lacks
/// (docs/PERFORMANCE.md measures both). JPEGs are decoded DCT-scaled by the same rule as <see cref="SkiaDecoder"/>
/// (<see cref="SkiaDecoder.MinimumOversample"/>), then resized by the same <see cref="AntialiasedBilinearResampler"/>, so
/// the two agree to a level or two. TurboJPEG 2 cannot decode a sub-rectangle, so the whole scaled frame is decoded.
/// Everything else goes to <see cref="SkiaDecoder"/>: other formats, CMYK/YCCK JPEGs (TurboJPEG will not convert them to
/// RGB), 12-bit JPEGs, and any JPEG TurboJPEG reports a fatal error for, so such a file gets exactly the verdict (and
/// rejection text) the Skia path gives it. A warning (corrupt data libjpeg would fill with grey) is
/// <see cref="ImageRejectionKind.Corrupt"/> with libjpeg's words: Skia hides those warnings and decodes. The other exception: a JPEG with more than 500 scans (a known way to make a
/// small file cost minutes of decoding) is rejected as <see cref="ImageRejectionKind.TooLarge"/> with libjpeg-turbo's
/// reason; the header probe's <see cref="ImageLimits.MaxJpegScans"/> normally stops such files earlier, for every decoder.
/// Thread-safe: each call uses its own TurboJPEG handle.
/// </summary>
public sealed class TurboJpegDecoder : IImageDecoder
{
    public const string DecoderName = "turbojpeg";

    private readonly SkiaDecoder _fallback;

    public TurboJpegDecoder()
        : this(new SkiaDecoder())
    {
    }

    /// <param name="fallback">Decodes what TurboJPEG does not; its <see cref="SkiaDecoder.MinimumOversample"/> is used here too.</param>
    public TurboJpegDecoder(SkiaDecoder fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        _fallback = fallback;
    }

    public string Name => DecoderName;

    /// <summary>True when libturbojpeg could be loaded on this machine.</summary>
    public static bool IsAvailable => TurboJpegLibrary.IsAvailable;

    /// <summary>Why libturbojpeg cannot be used here (empty when <see cref="IsAvailable"/>).</summary>
    public static string UnavailableReason => TurboJpegLibrary.UnavailableReason;

    public DecodedImageInfo DecodeInto(ReadOnlySpan<byte> encoded, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
        => Decode(encoded, probed: null, recipe, limits, destination);

    public DecodedImageInfo DecodeInto(ReadOnlySpan<byte> encoded, ImageHeader header, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
        => Decode(encoded, header, recipe, limits, destination);

    private DecodedImageInfo Decode(ReadOnlySpan<byte> encoded, ImageHeader? probed, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
    {
        DecoderGuards.Check(recipe, limits, destination);
        try
        {
            var header = probed ?? ImageHeaderProbe.Probe(encoded, limits);
            if (header.Format != ImageFormat.Jpeg || !IsAvailable || !TryDecodeJpeg(encoded, header, recipe, destination))
            {
                return _fallback.DecodeProbed(encoded, header, recipe, destination);
            }

            return header.ToInfo();
        }
        catch (Exception ex) when (DecodeFailures.IsDataError(ex))
        {
            // Total failure policy: nothing but a rejection leaves a decoder (see DecodeFailures.Unexpected).
            throw DecodeFailures.Unexpected(encoded, ex);
        }
    }

    private unsafe bool TryDecodeJpeg(ReadOnlySpan<byte> encoded, ImageHeader header, PreprocessRecipe recipe, Span<float> destination)
    {
        var tj = TurboJpegLibrary.Functions;
        IntPtr handle = tj.InitDecompress();
        if (handle == IntPtr.Zero)
        {
            return false;
        }

        byte[]? frame = null;
        try
        {
            fixed (byte* jpeg = encoded)
            {
                int width, height, subsampling, colorspace;
                if (tj.DecompressHeader3(handle, jpeg, (nuint)encoded.Length, &width, &height, &subsampling, &colorspace) != 0
                    || colorspace is TurboJpegLibrary.ColorspaceCmyk or TurboJpegLibrary.ColorspaceYcck
                    || width != header.StoredWidth || height != header.StoredHeight)
                {
                    return false;
                }

                var plan = PreprocessPlan.Create(width, height, header.Orientation, recipe);
                (int scaledWidth, int scaledHeight) = ChooseDecodeSize(width, height, recipe.ResizeShorterSide * _fallback.MinimumOversample);
                var horizontal = ResamplingKernel.Create(scaledWidth, plan.ResizedWidth, plan.WindowX, plan.WindowWidth);
                var vertical = ResamplingKernel.Create(scaledHeight, plan.ResizedHeight, plan.WindowY, plan.WindowHeight);

                int stride = scaledWidth * 4;
                frame = ArrayPool<byte>.Shared.Rent(checked(stride * scaledHeight));
                fixed (byte* pixels = frame)
                {
                    // Given exactly a scaled size libjpeg-turbo offers, tjDecompress2 decodes at that DCT scale.
                    int status = tj.Decompress2(
                        handle, jpeg, (nuint)encoded.Length, pixels, scaledWidth, stride, scaledHeight,
                        TurboJpegLibrary.PixelFormatRgba, TurboJpegLibrary.FlagStopOnWarning | TurboJpegLibrary.FlagLimitScans);
                    if (status != 0)
                    {
                        string error = tj.ErrorText(handle);
                        if (error.Contains("scans", StringComparison.Ordinal))
                        {
                            // Reached only when the probe's MaxJpegScans is set above libjpeg-turbo's 500: say why, rather
                            // than let Skia (which refuses a hundred-odd scans) call the file corrupt.
                            throw new ImageRejectedException(
                                ImageRejectionKind.TooLarge,
                                $"Jpeg image has more scans than libjpeg-turbo allows ({error}): each scan revisits every block, so such files cost minutes of CPU");
                        }

                        if (tj.ErrorCode(handle) == TurboJpegLibrary.ErrorWarning && IsDamagedPixelData(error))
                        {
                            // Issue 21: a warning is libjpeg recovering from corrupt entropy data by filling blocks with grey
                            // (a red photo with damaged restart markers was labelled "white"). As a truncated file: Corrupt,
                            // in libjpeg's words, never a confident label for a picture that is partly made up.
                            throw new ImageRejectedException(
                                ImageRejectionKind.Corrupt,
                                $"Jpeg image data is damaged: libjpeg-turbo reports \"{error}\" and would fill the damaged blocks with grey, so it is not classified");
                        }

                        return false;
                    }
                }

                int windowBytes = plan.WindowWidth * plan.WindowHeight * 4;
                byte[] window = ArrayPool<byte>.Shared.Rent(windowBytes);
                try
                {
                    AntialiasedBilinearResampler.ResizeWindow(
                        frame.AsSpan(0, stride * scaledHeight), stride, 0, 0, horizontal, vertical, window.AsSpan(0, windowBytes));
                    // RGBA with alpha 0xFF: premultiplied and straight are the same bytes.
                    TensorWriter.Write(
                        window.AsSpan(0, windowBytes), plan.WindowWidth * 4, WindowPixelFormat.Rgba32Premultiplied, plan, recipe, destination);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(window);
                }

                return true;
            }
        }
        finally
        {
            if (frame is not null)
            {
                ArrayPool<byte>.Shared.Return(frame);
            }

            tj.Destroy(handle);
        }
    }

    /// <summary>
    /// True for the libjpeg warnings (jerror.h) that mean pixel data was lost and made up: bad Huffman or arithmetic
    /// codes, missing or wrong restart markers, a data segment that ends early, an impossible progression. Not the
    /// warnings about metadata ("bad ICC marker", an unknown JFIF revision or Adobe transform), nor "extraneous bytes
    /// before marker": libjpeg had decoded every block of the interval when it met them and only skips them
    /// (hopper_bad_exif.jpg has 1,214 before an RST0; Pillow and ImageSharp decode it to the same pixels). Those files
    /// fall back to Skia as before.
    /// </summary>
    internal static bool IsDamagedPixelData(string warning) =>
        (warning.StartsWith("Corrupt JPEG data", StringComparison.Ordinal)
            && !warning.Contains("ICC", StringComparison.Ordinal)
            && !warning.Contains("extraneous bytes", StringComparison.Ordinal))
        || warning.StartsWith("Premature end of JPEG file", StringComparison.Ordinal)
        || warning.StartsWith("Inconsistent progression sequence", StringComparison.Ordinal)
        || warning.StartsWith("Invalid SOS parameters", StringComparison.Ordinal);

    /// <summary>
    /// libjpeg-turbo's scaled size for 1/8, 1/4 and 1/2 (<c>TJSCALED</c>: rounded up), the smallest whose shorter side
    /// is still at least <paramref name="minimumShorterSide"/>; the full size otherwise. The same sizes Skia's JPEG codec reports.
    /// </summary>
    internal static (int Width, int Height) ChooseDecodeSize(int width, int height, double minimumShorterSide)
    {
        foreach (int denominator in (ReadOnlySpan<int>)[8, 4, 2])
        {
            int scaledWidth = (width + denominator - 1) / denominator;
            int scaledHeight = (height + denominator - 1) / denominator;
            if (Math.Min(scaledWidth, scaledHeight) >= minimumShorterSide)
            {
                return (scaledWidth, scaledHeight);
            }
        }

        return (width, height);
    }
}
