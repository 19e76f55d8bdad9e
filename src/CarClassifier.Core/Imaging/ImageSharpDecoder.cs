using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Managed decoder built on SixLabors.ImageSharp 2.1. JPEG decodes straight to <see cref="Rgb24"/>
/// (ImageSharp converts grayscale and CMYK/YCCK); other formats decode to <see cref="Rgba32"/> so
/// transparency can be composited on white. Resizing uses the Triangle (bilinear) kernel, scaled when
/// shrinking, which is what Pillow's BILINEAR with antialiasing does. Thread-safe; holds no state.
/// </summary>
public sealed class ImageSharpDecoder : IImageDecoder
{
    public const string DecoderName = "imagesharp";

    public string Name => DecoderName;

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

    /// <summary>The decode proper, for a header the caller has already probed (decoders that fall back here).</summary>
    internal DecodedImageInfo DecodeProbed(ReadOnlySpan<byte> encoded, ImageHeader header, PreprocessRecipe recipe, Span<float> destination)
    {
        // JPEG has no alpha, so skip the fourth byte per pixel there.
        if (header.Format == ImageFormat.Jpeg)
        {
            Decode<Rgb24>(encoded, header, recipe, destination, WindowPixelFormat.Rgb24);
        }
        else
        {
            Decode<Rgba32>(encoded, header, recipe, destination, WindowPixelFormat.Rgba32);
        }

        return header.ToInfo();
    }

    private static void Decode<TPixel>(
        ReadOnlySpan<byte> encoded, ImageHeader header, PreprocessRecipe recipe, Span<float> destination, WindowPixelFormat pixelFormat)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using (var image = ImageSharpSettings.LoadFirstFrame<TPixel>(encoded, header.Format))
        {
            var plan = PreprocessPlan.Create(image.Width, image.Height, header.Orientation, recipe);

            // Resize straight to the crop window (Manual mode: the whole resized image is positioned so only
            // the window lands on the canvas; ImageSharp computes just the pixels inside the canvas).
            var options = new ResizeOptions
            {
                Mode = ResizeMode.Manual,
                Size = new Size(plan.WindowWidth, plan.WindowHeight),
                TargetRectangle = new Rectangle(-plan.WindowX, -plan.WindowY, plan.ResizedWidth, plan.ResizedHeight),
                Sampler = KnownResamplers.Triangle,
                Compand = false,
                PremultiplyAlpha = true,
            };
            image.Mutate(context => context.Resize(options));

            if (!image.DangerousTryGetSinglePixelMemory(out var pixels))
            {
                throw new InvalidOperationException("ImageSharp returned a non-contiguous buffer for the crop window.");
            }

            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(pixels.Span);
            TensorWriter.Write(bytes, bytes.Length / plan.WindowHeight, pixelFormat, plan, recipe, destination);
        }
    }
}
