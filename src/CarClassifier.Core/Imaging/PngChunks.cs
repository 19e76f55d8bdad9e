using System.Buffers.Binary;
using System.Globalization;

namespace CarClassifier.Core.Imaging;

/// <summary>One walk over a PNG's chunks for the header probe: truncation, metadata and the eXIf block.</summary>
internal static class PngChunks
{
    /// <summary>Deflate's largest expansion: a decoder that inflates a metadata chunk may hold this many times its bytes.</summary>
    private const long DeflateMaxRatio = 1032;

    /// <summary>
    /// Walks the chunks to IEND. An IDAT chunk (or any chunk before the first IDAT) that claims more bytes than the file
    /// holds means the image data is cut short: Skia reports such files as incomplete, but ImageSharp 2.1's inflater can
    /// spin for tens of seconds on them (found by DecoderFuzzTests: pil123rgba.png cut inside its second IDAT), so the
    /// probe rejects them for every decoder, as it does JPEGs without their end marker. Chunks after the image data may be
    /// damaged without harm, as viewers accept (the walk stops there). Every chunk other than IHDR, PLTE, IDAT and IEND
    /// counts as a metadata chunk; tEXt, zTXt, iTXt, iCCP, eXIf and sPLT (what libpng keeps) count their cost in bytes.
    /// </summary>
    public static MetadataLayout Walk(ReadOnlySpan<byte> png)
    {
        // long: a chunk length of 0x7FFFFFF0 or 0xFFFFFFFF must end the walk, not wrap the offset.
        long offset = 8;
        bool seenImageData = false;
        long bytes = 0;
        int segments = 0;
        int exifOffset = -1, exifLength = 0;
        while (offset + 8 <= png.Length)
        {
            int at = (int)offset;
            long size = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(at, 4));
            var type = png.Slice(at + 4, 4);
            bool imageData = type.SequenceEqual("IDAT"u8);
            long remaining = png.Length - (offset + 8);
            if (size + 4 > remaining)
            {
                if (imageData || !seenImageData)
                {
                    throw new ImageRejectedException(
                        ImageRejectionKind.Corrupt,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"Png image is truncated: a {SafeName(type)} chunk claims {size} bytes (plus its checksum), but only {remaining} remain in the file"));
                }

                break;
            }

            seenImageData |= imageData;
            if (type.SequenceEqual("IEND"u8))
            {
                break;
            }

            if (!imageData && !type.SequenceEqual("IHDR"u8) && !type.SequenceEqual("PLTE"u8))
            {
                segments++;
                if (type.SequenceEqual("zTXt"u8) || type.SequenceEqual("iTXt"u8) || type.SequenceEqual("iCCP"u8))
                {
                    bytes += size * DeflateMaxRatio;
                }
                else if (type.SequenceEqual("tEXt"u8) || type.SequenceEqual("eXIf"u8) || type.SequenceEqual("sPLT"u8))
                {
                    bytes += size;
                }

                if (exifOffset < 0 && type.SequenceEqual("eXIf"u8))
                {
                    exifOffset = at + 8;
                    exifLength = (int)size;
                }
            }

            offset += 8 + size + 4; // data and CRC
        }

        if (!seenImageData)
        {
            throw new ImageRejectedException(ImageRejectionKind.Corrupt, "Png image is truncated: the file ends before any image data (IDAT)");
        }

        return new MetadataLayout(bytes, segments, exifOffset, exifLength);
    }

    /// <summary>
    /// A copy of <paramref name="png"/> without its metadata chunks (tEXt, zTXt, iTXt, iCCP, eXIf, sPLT), for a decoder that
    /// would otherwise inflate and keep them; the pixels do not depend on them (no decoder here applies an ICC profile).
    /// Writes into <paramref name="destination"/> (at least <paramref name="png"/>'s length) and returns the bytes written.
    /// </summary>
    public static int Strip(ReadOnlySpan<byte> png, Span<byte> destination)
    {
        png[..8].CopyTo(destination);
        int written = 8;
        long offset = 8;
        while (offset + 12 <= png.Length)
        {
            int at = (int)offset;
            long size = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(at, 4));
            long end = Math.Min(png.Length, offset + 12 + size);
            var type = png.Slice(at + 4, 4);
            bool metadata = type.SequenceEqual("zTXt"u8) || type.SequenceEqual("iTXt"u8) || type.SequenceEqual("iCCP"u8)
                || type.SequenceEqual("tEXt"u8) || type.SequenceEqual("eXIf"u8) || type.SequenceEqual("sPLT"u8);
            if (!metadata)
            {
                png[at..(int)end].CopyTo(destination[written..]);
                written += (int)end - at;
            }

            offset = end;
        }

        png[(int)offset..].CopyTo(destination[written..]);
        return written + (png.Length - (int)offset);
    }

    /// <summary>A chunk type as text when it is four ASCII letters, as hex otherwise (so a reason never carries control bytes).</summary>
    private static string SafeName(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                return Convert.ToHexString(type);
            }
        }

        return System.Text.Encoding.ASCII.GetString(type);
    }
}
