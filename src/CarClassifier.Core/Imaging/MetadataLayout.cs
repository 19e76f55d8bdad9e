namespace CarClassifier.Core.Imaging;

/// <summary>
/// What the header probe's walk over a file's segments or chunks found about its metadata (EXIF, ICC, XMP, text):
/// how much there is, how many pieces, and where the EXIF block is (the one part the classifier reads: its orientation).
/// </summary>
/// <param name="Bytes">
/// What the metadata can cost a decoder that keeps it: its stored bytes, and for deflated PNG chunks (zTXt, iTXt, iCCP)
/// deflate's largest expansion (1032:1) of them, since libpng inflates those.
/// </param>
/// <param name="Segments">How many metadata segments or chunks (JPEG APPn/COM, PNG and WebP ancillary chunks, TIFF directories).</param>
/// <param name="ExifOffset">Where the EXIF block starts in the file, or -1 when there is none.</param>
/// <param name="ExifLength">Its length in bytes.</param>
internal readonly record struct MetadataLayout(long Bytes, int Segments, int ExifOffset, int ExifLength)
{
    public static MetadataLayout None { get; } = new(0, 0, -1, 0);

    /// <summary>The EXIF block within <paramref name="file"/> (empty when there is none).</summary>
    public ReadOnlySpan<byte> Exif(ReadOnlySpan<byte> file) =>
        ExifOffset < 0 ? [] : file.Slice(ExifOffset, Math.Min(ExifLength, file.Length - ExifOffset));
}
