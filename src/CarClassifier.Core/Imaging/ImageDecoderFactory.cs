namespace CarClassifier.Core.Imaging;

/// <summary>Creates an <see cref="IImageDecoder"/> from its configured name.</summary>
public static class ImageDecoderFactory
{
    /// <summary>Every name <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [ImageSharpDecoder.DecoderName, SkiaDecoder.DecoderName, TurboJpegDecoder.DecoderName];

    /// <summary>Returns a new decoder for <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static IImageDecoder Create(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (string.Equals(name, ImageSharpDecoder.DecoderName, StringComparison.OrdinalIgnoreCase))
        {
            return new ImageSharpDecoder();
        }

        if (string.Equals(name, SkiaDecoder.DecoderName, StringComparison.OrdinalIgnoreCase))
        {
            return new SkiaDecoder();
        }

        if (string.Equals(name, TurboJpegDecoder.DecoderName, StringComparison.OrdinalIgnoreCase))
        {
            return new TurboJpegDecoder();
        }

        throw new ArgumentException($"Unknown image decoder '{name}'. Known decoders: {string.Join(", ", Names)}.", nameof(name));
    }
}
