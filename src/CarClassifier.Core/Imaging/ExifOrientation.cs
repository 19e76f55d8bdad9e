using System.Buffers.Binary;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Reads the one EXIF field the classifier needs, the orientation (tag 0x0112), from the first image directory (IFD0) of
/// an EXIF block or a TIFF file. Nothing else is read: no sub-IFD (EXIF, GPS, interoperability), no next-IFD link, no
/// value is copied. The work is one pass over at most IFD0's entries (at most 65,535 of 12 bytes, a u16 count), and the
/// memory none, whatever the block holds.
/// <para>
/// Issue 21: ImageSharp's <c>ExifProfile</c> materialised every entry's value (thousands of entries pointing at one large
/// region cost gigabytes, 65,535 tiny entries a minute of CPU) and failed the whole file on a sub-IFD that points back to
/// IFD0 or nests 3,000 deep. A viewer shows such a file as stored; so does this: anything unreadable is orientation 1.
/// </para>
/// </summary>
internal static class ExifOrientation
{
    private const ushort OrientationTag = 0x0112;

    /// <summary>Orientation 1..8 from an EXIF block (with or without its "Exif\0\0" prefix); 1 when absent or unreadable.</summary>
    public static int FromExif(ReadOnlySpan<byte> exif)
    {
        if (exif.StartsWith("Exif\0\0"u8))
        {
            exif = exif[6..];
        }

        return FromTiff(exif);
    }

    /// <summary>Orientation 1..8 from IFD0 of a TIFF structure (an EXIF block after its prefix, or a TIFF file); 1 otherwise.</summary>
    public static int FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I')
        {
            little = true;
        }
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M')
        {
            little = false;
        }
        else
        {
            return 1;
        }

        ushort magic = U16(tiff, 2, little);
        if (magic == 43)
        {
            return FromBigTiff(tiff, little);
        }

        if (magic != 42)
        {
            return 1;
        }

        uint ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd > tiff.Length - 2L)
        {
            return 1;
        }

        int count = U16(tiff, (int)ifd, little);
        long entries = ifd + 2;
        int fits = (int)Math.Min(count, (tiff.Length - entries) / 12);
        for (int i = 0; i < fits; i++)
        {
            int at = (int)(entries + (i * 12L));
            if (U16(tiff, at, little) == OrientationTag)
            {
                // SHORT (LONG from a few writers), count 1: the value sits in the entry itself.
                return U32(tiff, at + 4, little) < 1 ? 1 : U16(tiff, at + 2, little) switch
                {
                    3 => Valid(U16(tiff, at + 8, little)),
                    4 => Valid(U32(tiff, at + 8, little)),
                    _ => 1,
                };
            }
        }

        return 1;
    }

    private static int FromBigTiff(ReadOnlySpan<byte> tiff, bool little)
    {
        if (tiff.Length < 16)
        {
            return 1;
        }

        ulong ifd = U64(tiff, 8, little);
        if (ifd < 16 || ifd > (ulong)tiff.Length - 8)
        {
            return 1;
        }

        ulong count = U64(tiff, (int)ifd, little);
        long entries = (long)ifd + 8;
        long fits = (long)Math.Min(count, (ulong)((tiff.Length - entries) / 20));
        for (long i = 0; i < fits; i++)
        {
            int at = (int)(entries + (i * 20));
            if (U16(tiff, at, little) == OrientationTag)
            {
                return U64(tiff, at + 4, little) < 1 ? 1 : U16(tiff, at + 2, little) switch
                {
                    3 => Valid(U16(tiff, at + 12, little)),
                    4 => Valid(U32(tiff, at + 12, little)),
                    _ => 1,
                };
            }
        }

        return 1;
    }

    private static int Valid(uint value) => value is >= 1 and <= 8 ? (int)value : 1;

    private static ushort U16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(b.Slice(at, 2));

    private static uint U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(b.Slice(at, 4));

    private static ulong U64(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(at, 8)) : BinaryPrimitives.ReadUInt64BigEndian(b.Slice(at, 8));
}
