namespace CarClassifier.Core.Imaging;

/// <summary>Image container formats, as recognised from a file's first bytes (never from its name).</summary>
public enum ImageFormat
{
    Unknown,
    Jpeg,
    Png,
    Gif,
    Bmp,
    Webp,
    Tiff,
    Avif,
}
