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

    /// <summary>
    /// Most pixels x scans a JPEG may cost, counted from its header and markers before decoding: every scan revisits every
    /// block, so the decode work grows with both (a 7000x7000 progressive JPEG with 499 scans, under the scan limit, took
    /// 6-14 s and 499 MB). The default admits a 50-megapixel photo with 60 scans (encoders write about 10).
    /// </summary>
    public long MaxJpegScanPixels { get; init; } = 3_000_000_000;

    /// <summary>
    /// Most bytes of metadata (EXIF, ICC, XMP, text) a decoder is given, as the probe measures them
    /// (<see cref="MetadataLayout.Bytes"/>). The classifier needs only the EXIF orientation, which the probe reads itself
    /// with bounded work; metadata over this limit is stripped before a native decoder sees it (JPEG, PNG), and the rest is
    /// counted in the decode memory budget. TIFF directories, which cannot be stripped, are refused when their fields claim
    /// more than the file plus this (<see cref="TiffStructure"/>). Issue 21: 16 copies of a 60 KB EXIF bomb took a host to 4.2 GB.
    /// </summary>
    public long MaxMetadataBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Most metadata segments or chunks a file may have (JPEG APPn and COM segments, PNG and WebP chunks other than the
    /// image's own, TIFF directories), counted by the probe's one walk before any decoder runs: a file of thousands of tiny
    /// segments costs every decoder per-segment work. Real photos have under 20.
    /// </summary>
    public int MaxMetadataSegments { get; init; } = 1000;

    /// <summary>Formats accepted, by <see cref="ImageFormat"/>; others are rejected with a clear reason.</summary>
    public IReadOnlySet<ImageFormat> AcceptedFormats { get; init; } = new HashSet<ImageFormat>
    {
        ImageFormat.Jpeg, ImageFormat.Png, ImageFormat.Gif, ImageFormat.Bmp, ImageFormat.Webp, ImageFormat.Tiff,
    };

    /// <summary>
    /// Where these limits are configured, put before a limit's name in a rejection so an operator knows what to change:
    /// <c>ClassifierOptions.ToImageLimits</c> gives "Classifier:" (so rows say "Classifier:MaxPixels"). Empty by default:
    /// Imaging knows its limits, not how a host's configuration names them.
    /// </summary>
    public string SettingPrefix { get; init; } = string.Empty;

    public static ImageLimits Default { get; } = new();

    /// <summary>How a rejection names the limit <paramref name="limit"/> (a property name of this type).</summary>
    internal string Setting(string limit) => SettingPrefix + limit;
}
