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

    /// <summary>HEIF/HEIC (ISO-BMFF <c>ftyp</c> with a HEIF brand but not AVIF). Recognised so it can be rejected by name.</summary>
    Heif,
}
