using System.Buffers.Binary;
using System.Globalization;

namespace CarClassifier.Core.Imaging;

/// <summary>One walk over a WebP file's RIFF chunks for the header probe: damaged chunk sizes, metadata and the EXIF chunk.</summary>
internal static class WebpChunks
{
    /// <summary>
    /// Walks the RIFF chunks of a WebP file: a chunk the decoders read (image data, alpha, animation frames, metadata)
    /// whose size field claims more bytes than the file holds is truncated data. ImageSharp 2.1 allocates an array of the
    /// claimed size for EXIF, ICCP and XMP chunks first (0x7FFFFFF0 bytes: a 2 GB allocation or an OutOfMemoryException),
    /// so such files are rejected here. Unknown chunks past the image (JUNK) are skipped, as libwebp does. Every chunk but
    /// the image's own (VP8X, VP8, VP8L, ALPH, ANIM, ANMF) counts as metadata.
    /// </summary>
    public static MetadataLayout Walk(ReadOnlySpan<byte> webp)
    {
        // The extended header is 10 bytes by the specification; decoders read it as such whatever its size field says,
        // so a different size would make this walk and the decoder's disagree about where the next chunk starts.
        if (webp.Length >= 20 && webp.Slice(12, 4).SequenceEqual("VP8X"u8) && BinaryPrimitives.ReadUInt32LittleEndian(webp.Slice(16, 4)) != 10)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.Corrupt,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Webp image is corrupt: its VP8X header chunk says {BinaryPrimitives.ReadUInt32LittleEndian(webp.Slice(16, 4))} bytes; the format fixes it at 10"));
        }

        // Offsets and sizes are long: a chunk size is a 32-bit unsigned field, and offset + size must never wrap
        // (a 0xFFFFFFF0 JUNK chunk once made int arithmetic slice outside the file).
        long offset = 12; // "RIFF" size "WEBP"
        long bytes = 0;
        int segments = 0;
        int exifOffset = -1, exifLength = 0;
        while (offset + 8 <= webp.Length)
        {
            int at = (int)offset;
            var fourcc = webp.Slice(at, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(webp.Slice(at + 4, 4));
            long remaining = webp.Length - (offset + 8);
            bool exif = fourcc.SequenceEqual("EXIF"u8);
            if (exif && exifOffset < 0)
            {
                exifOffset = at + 8;
                exifLength = (int)Math.Min(size, remaining);
            }

            if (size > remaining)
            {
                if (exif || fourcc.SequenceEqual("ICCP"u8) || fourcc.SequenceEqual("XMP "u8)
                    || fourcc.SequenceEqual("ALPH"u8) || fourcc.SequenceEqual("ANMF"u8) || fourcc.SequenceEqual("VP8X"u8))
                {
                    string name = System.Text.Encoding.ASCII.GetString(fourcc).Trim();
                    throw new ImageRejectedException(
                        ImageRejectionKind.Corrupt,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"Webp image is corrupt: its {name} chunk claims {size} bytes, but only {remaining} remain in the file (truncated or damaged)"));
                }

                break; // image data cut short is left to the decoders (they report truncation); unknown chunks are ignored
            }

            if (!(fourcc.SequenceEqual("VP8X"u8) || fourcc.SequenceEqual("VP8 "u8) || fourcc.SequenceEqual("VP8L"u8)
                || fourcc.SequenceEqual("ALPH"u8) || fourcc.SequenceEqual("ANIM"u8) || fourcc.SequenceEqual("ANMF"u8)))
            {
                segments++;
                bytes += size;
            }

            offset += 8 + size + (size & 1);
        }

        return new MetadataLayout(bytes, segments, exifOffset, exifLength);
    }
}
