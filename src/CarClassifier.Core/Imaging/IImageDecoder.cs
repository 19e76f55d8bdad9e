namespace CarClassifier.Core.Imaging;

/// <summary>
/// Decodes an encoded image and writes the model-ready tensor for it.
/// Implementations must be thread-safe (one instance serves concurrent callers) and must produce
/// the same tensor, within a stated tolerance, for the same bytes and recipe.
/// </summary>
public interface IImageDecoder
{
    /// <summary>Short name used in configuration, logs and benchmarks (e.g. "imagesharp", "skia").</summary>
    string Name { get; }

    /// <summary>
    /// Decodes <paramref name="encoded"/>, applies EXIF orientation, converts to 8-bit RGB (grayscale,
    /// CMYK, palette and alpha handled; alpha is composited on white), resizes the shorter side to
    /// <see cref="PreprocessRecipe.ResizeShorterSide"/>, centre-crops, normalises and writes
    /// <see cref="PreprocessRecipe.ImageTensorLength"/> floats into <paramref name="destination"/>.
    /// </summary>
    /// <returns>Facts about the source image (format, and its size once EXIF orientation is applied).</returns>
    /// <exception cref="ImageRejectedException">The bytes are not an acceptable image; the message says why.</exception>
    DecodedImageInfo DecodeInto(ReadOnlySpan<byte> encoded, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination);

    /// <summary>
    /// As <see cref="DecodeInto(ReadOnlySpan{byte}, PreprocessRecipe, ImageLimits, Span{float})"/>, for bytes whose header the caller has already read with
    /// <see cref="ImageHeaderProbe.Probe"/> and the same <paramref name="limits"/> (the classifier does, to size the decode
    /// memory budget): our decoders then skip their own probe, which parses the header and EXIF a second time
    /// (~0.1 core-ms per photo, measured by the plumbing bench's profile). A decoder that probes its own way may ignore
    /// <paramref name="header"/>; the default does.
    /// </summary>
    DecodedImageInfo DecodeInto(ReadOnlySpan<byte> encoded, ImageHeader header, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
        => DecodeInto(encoded, recipe, limits, destination);
}
