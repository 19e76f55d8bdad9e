using System.Buffers.Binary;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Recognises an image container from its first bytes ("magic numbers"). The file name and the
/// blob's content type are never consulted: both are set by whoever uploads the file.
/// </summary>
public static class ImageFormatSniffer
{
    /// <summary>How many leading bytes <see cref="Detect"/> looks at, at most (enough for an ISO-BMFF ftyp box).</summary>
    public const int MaxHeaderBytes = 64;

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

    /// <summary>AVIF and HEIF are ISO-BMFF files: a <c>ftyp</c> box whose major or compatible brands name the format.</summary>
    private static ImageFormat DetectIsoBmff(ReadOnlySpan<byte> data)
    {
        if (data.Length < 16 || !data.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return ImageFormat.Unknown;
        }

        uint boxSize = BinaryPrimitives.ReadUInt32BigEndian(data);
        int end = (int)Math.Min(Math.Min(boxSize, (uint)data.Length), MaxHeaderBytes);
        bool heif = false;

        // Major brand at 8, minor version at 12, compatible brands from 16 to the end of the box.
        for (int offset = 8; offset + 4 <= end; offset += offset == 8 ? 8 : 4)
        {
            var brand = data.Slice(offset, 4);
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
}
