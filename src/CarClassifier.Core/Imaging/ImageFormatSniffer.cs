using System.Buffers.Binary;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Recognises an image container from its first bytes ("magic numbers"). The file name and the
/// blob's content type are never consulted: both are set by whoever uploads the file.
/// </summary>
public static class ImageFormatSniffer
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Returns the format the bytes start with, or <see cref="ImageFormat.Unknown"/>.</summary>
    public static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (data.StartsWith(PngSignature))
        {
            return ImageFormat.Png;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return ImageFormat.Gif;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.Webp;
        }

        // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8) || data.StartsWith("II+\0"u8) || data.StartsWith("MM\0+"u8))
        {
            return ImageFormat.Tiff;
        }

        // "BM" then a file size and two reserved fields; the DIB header size at offset 14 tells a real BMP apart
        // from text that happens to start with "BM".
        if (data.Length >= 18 && data[0] == (byte)'B' && data[1] == (byte)'M')
        {
            uint dibHeaderSize = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(14, 4));
            if (dibHeaderSize is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124)
            {
                return ImageFormat.Bmp;
            }
        }

        return DetectIsoBmff(data);
    }

    /// <summary>
    /// AVIF and HEIF are ISO-BMFF files: a <c>ftyp</c> box whose major or compatible brands name the format. The whole box
    /// is read (up to <see cref="MaxFtypBytes"/>), with its 64-bit size form (size field 1), since an AVIF may list
    /// <c>avif</c> after <c>mif1</c> and past byte 64 (issue 21: such a file was called HEIF).
    /// </summary>
    private static ImageFormat DetectIsoBmff(ReadOnlySpan<byte> data)
    {
        var brands = FtypBrands(data);
        bool heif = false;
        for (int offset = 0; offset + 4 <= brands.Length; offset += 4)
        {
            var brand = brands.Slice(offset, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return ImageFormat.Avif;
            }

            heif |= brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("heim"u8)
                || brand.SequenceEqual("heis"u8) || brand.SequenceEqual("hevc"u8) || brand.SequenceEqual("hevx"u8)
                || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8);
        }

        return heif ? ImageFormat.Heif : ImageFormat.Unknown;
    }

    /// <summary>Most bytes of an ISO-BMFF <c>ftyp</c> box read for its brands (real ones hold a handful: under 64 bytes).</summary>
    public const int MaxFtypBytes = 4096;

    /// <summary>
    /// The brands of an ISO-BMFF <c>ftyp</c> box at the start of <paramref name="data"/>: the major brand, then (skipping the
    /// minor version) the compatible brands, as one run of 4-byte codes with the minor version left out. Empty when there is
    /// no such box. Handles the 64-bit size form (size 1, the real size after the type) and size 0 (to the end of the file).
    /// </summary>
    internal static ReadOnlySpan<byte> FtypBrands(ReadOnlySpan<byte> data)
    {
        if (data.Length < 16 || !data.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return [];
        }

        ulong size = BinaryPrimitives.ReadUInt32BigEndian(data);
        int header = 8;
        if (size == 1)
        {
            if (data.Length < 24)
            {
                return [];
            }

            size = BinaryPrimitives.ReadUInt64BigEndian(data[8..]);
            header = 16;
        }
        else if (size == 0)
        {
            size = (ulong)data.Length;
        }

        int end = (int)Math.Min(Math.Min(size, (ulong)data.Length), MaxFtypBytes);
        if (end < header + 8)
        {
            return data.Slice(header, Math.Max(0, Math.Min(4, end - header)));
        }

        // Major brand, then the compatible brands after the 4-byte minor version: copied into one run.
        var major = data.Slice(header, 4);
        var compatible = data[(header + 8)..end];
        compatible = compatible[..(compatible.Length / 4 * 4)];
        var brands = new byte[4 + compatible.Length];
        major.CopyTo(brands);
        compatible.CopyTo(brands.AsSpan(4));
        return brands;
    }
}
