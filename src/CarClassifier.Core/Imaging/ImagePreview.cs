using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// A small JPEG of an image for people to look at (the HTML report's thumbnails), made under the classifier's own rules:
/// the same header probe and limits, the same decoders (ImageSharp, first frame only, PNG text chunks not inflated)
/// and the same total failure policy, so a file that would get a Failed row gets a reason here too, never an exception.
/// </summary>
public static class ImagePreview
{
    /// <summary>The header probe's verdict and the bytes a preview of it costs, before any pixel is decoded.</summary>
    /// <exception cref="ImageRejectedException">The image is refused by the limits or cannot be read; the message says why.</exception>
    public static (ImageHeader Header, long EstimatedBytes) Probe(ReadOnlySpan<byte> encoded, ImageLimits limits)
    {
        var header = ImageHeaderProbe.Probe(encoded, limits);
        return (header, DecodeMemoryEstimate.Bytes(ImageSharpDecoder.DecoderName, header, encoded, new PreprocessRecipe()));
    }

    /// <summary>
    /// Decodes the first frame of <paramref name="encoded"/>, turns it upright (EXIF orientation from the probe), fits it
    /// in <paramref name="maxSide"/> x <paramref name="maxSide"/> and returns it as a JPEG.
    /// </summary>
    /// <exception cref="ImageRejectedException">
    /// The image cannot be shown; the message says why in words. Nothing else escapes but cancellation and out-of-memory.
    /// </exception>
    public static byte[] RenderJpeg(ReadOnlySpan<byte> encoded, ImageLimits limits, int maxSide, int quality = 80)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        try
        {
            var header = ImageHeaderProbe.Probe(encoded, limits);
            using (var image = ImageSharpSettings.LoadFirstFrame<Rgb24>(encoded, header.Format))
            {
                image.Mutate(context =>
                {
                    Orient(context, header.Orientation);
                    context.Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(maxSide, maxSide) });
                });
                using var jpeg = new MemoryStream();
                image.SaveAsJpeg(jpeg, new JpegEncoder { Quality = quality });
                return jpeg.ToArray();
            }
        }
        catch (Exception ex) when (DecodeFailures.IsDataError(ex))
        {
            throw DecodeFailures.Unexpected(encoded, ex);
        }
    }

    /// <summary>
    /// EXIF orientation as ImageSharp's AutoOrient applies it. The probe reads it for every format (the PNG decoder is set
    /// to skip metadata, so AutoOrient itself would not see a PNG's eXIf chunk).
    /// </summary>
    private static void Orient(IImageProcessingContext context, int orientation)
    {
        switch (orientation)
        {
            case 2: context.Flip(FlipMode.Horizontal); break;
            case 3: context.Rotate(RotateMode.Rotate180); break;
            case 4: context.Flip(FlipMode.Vertical); break;
            case 5: context.Rotate(RotateMode.Rotate90).Flip(FlipMode.Horizontal); break;
            case 6: context.Rotate(RotateMode.Rotate90); break;
            case 7: context.Flip(FlipMode.Vertical).Rotate(RotateMode.Rotate270); break;
            case 8: context.Rotate(RotateMode.Rotate270); break;
            default: break;
        }
    }
}
