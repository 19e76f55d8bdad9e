namespace CarClassifier.Core.Imaging;

/// <summary>Limits a decoder enforces before and while it decodes, so hostile files cannot exhaust memory.</summary>
public sealed record ImageLimits
{
    /// <summary>Largest width x height accepted, checked from the header before pixels are allocated.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>Largest width or height accepted, checked from the header.</summary>
    public int MaxDimension { get; init; } = 20_000;

    /// <summary>
    /// Most scans a JPEG may have, counted from its markers before decoding. Encoders write 1 (baseline) or about 10
    /// (progressive); hostile files write hundreds of tiny scans, each of which makes the decoder revisit every block.
    /// 500 is libjpeg-turbo's own limit (<c>TJFLAG_LIMITSCANS</c>).
    /// </summary>
    public int MaxJpegScans { get; init; } = 500;

    /// <summary>Formats accepted, by <see cref="ImageFormat"/>; others are rejected with a clear reason.</summary>
    public IReadOnlySet<ImageFormat> AcceptedFormats { get; init; } = new HashSet<ImageFormat>
    {
        ImageFormat.Jpeg, ImageFormat.Png, ImageFormat.Gif, ImageFormat.Bmp, ImageFormat.Webp, ImageFormat.Tiff,
    };

    public static ImageLimits Default { get; } = new();
}
