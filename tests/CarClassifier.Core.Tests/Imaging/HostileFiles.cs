using System.Buffers.Binary;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// The hostile files of issue 15, generated in memory so the default test run needs nothing outside the repository
/// (linked into the end-to-end tests too). Each is a valid small image with one field made hostile.
/// </summary>
internal static class HostileFiles
{
    /// <summary>The chunk and segment lengths the issue names: zero, int.MaxValue, its successor, and values near uint.MaxValue.</summary>
    public static readonly uint[] BoundaryLengths = [0, 0x7FFFFFF0, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFF];

    /// <summary>A 16x16 red PNG (IHDR, IDAT, IEND).</summary>
    public static byte[] Png() => GeneratedImages.Png(16, 16, new Rgba32(255, 0, 0, 255));

    /// <summary>
    /// A valid PNG with one extra chunk of <paramref name="type"/> whose length field says <paramref name="length"/> but
    /// which holds 16 bytes (and then the rest of the file), before or after the IDAT chunk.
    /// </summary>
    public static byte[] PngWithChunk(string type, uint length, bool beforeIdat)
    {
        byte[] png = Png();
        int idat = FindPngChunk(png, "IDAT");
        int idatEnd = idat + 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(idat));
        int at = beforeIdat ? idat : idatEnd;
        var chunk = new byte[8 + 16 + 4];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(24), Crc32Png(chunk.AsSpan(4, 20)));
        return [.. png.AsSpan(0, at), .. chunk, .. png.AsSpan(at)];
    }

    /// <summary>A PNG whose image data is split into <paramref name="count"/> IDAT chunks (the 100,000-chunk report abort).</summary>
    public static byte[] PngWithManyIdatChunks(int count)
    {
        byte[] png = Png();
        int idat = FindPngChunk(png, "IDAT");
        int idatLength = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(idat));
        var empty = new byte[12];
        Encoding.ASCII.GetBytes("IDAT", empty.AsSpan(4, 4));
        BinaryPrimitives.WriteUInt32BigEndian(empty.AsSpan(8), Crc32Png(empty.AsSpan(4, 4)));
        using var output = new MemoryStream();
        output.Write(png, 0, idat + 12 + idatLength);
        for (int i = 0; i < count; i++)
        {
            output.Write(empty);
        }

        output.Write(png, idat + 12 + idatLength, png.Length - (idat + 12 + idatLength));
        return output.ToArray();
    }

    /// <summary>A 16x16 lossy WebP (RIFF, VP8).</summary>
    public static byte[] Webp()
    {
        using var image = new Image<Rgb24>(16, 16, new Rgb24(0, 0, 255));
        using var stream = new MemoryStream();
        image.Save(stream, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy });
        return stream.ToArray();
    }

    /// <summary>A valid WebP followed by a chunk <paramref name="fourcc"/> whose size field says <paramref name="size"/> (8 bytes present).</summary>
    public static byte[] WebpWithTrailingChunk(string fourcc, uint size)
    {
        byte[] webp = Webp();
        var chunk = new byte[16];
        Encoding.ASCII.GetBytes(fourcc, chunk.AsSpan(0, 4));
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), size);
        byte[] file = [.. webp, .. chunk];
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));
        return file;
    }

    /// <summary>An extended (VP8X) WebP whose flags announce EXIF, with an EXIF chunk whose size field says <paramref name="exifSize"/>.</summary>
    public static byte[] WebpVp8xWithExif(uint exifSize)
    {
        byte[] simple = Webp();
        ReadOnlySpan<byte> vp8 = simple.AsSpan(12); // the "VP8 " chunk
        var header = new byte[12 + 18];
        "RIFF"u8.CopyTo(header);
        "WEBP"u8.CopyTo(header.AsSpan(8));
        "VP8X"u8.CopyTo(header.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 10);
        header[20] = 0x08; // EXIF present
        header[24] = 15; // canvas width - 1 (24-bit)
        header[27] = 15; // canvas height - 1
        var exif = new byte[8 + 16];
        "EXIF"u8.CopyTo(exif);
        BinaryPrimitives.WriteUInt32LittleEndian(exif.AsSpan(4), exifSize);
        "II*\0"u8.CopyTo(exif.AsSpan(8));
        byte[] file = [.. header, .. vp8, .. exif];
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));
        return file;
    }

    /// <summary>
    /// An uncompressed 8-bit grayscale classic TIFF (little-endian) of one strip. <paramref name="pixelBytes"/> bytes of
    /// mid-grey follow the directory; each field can be made hostile.
    /// </summary>
    public static byte[] Tiff(
        uint width = 16,
        uint height = 16,
        uint? rowsPerStrip = null,
        uint? stripOffset = null,
        uint? stripByteCount = null,
        int? pixelBytes = null,
        uint? ifdOffset = null)
    {
        var entries = new List<(ushort Tag, ushort Type, uint Value)>
        {
            (256, 4, width),
            (257, 4, height),
            (258, 3, 8),
            (259, 3, 1),
            (262, 3, 1),
            (273, 4, 0), // patched below
            (277, 3, 1),
            (278, 4, rowsPerStrip ?? height),
            (279, 4, stripByteCount ?? (width * height)),
        };
        int directorySize = 2 + (entries.Count * 12) + 4;
        uint dataAt = (uint)(8 + directorySize);
        int present = pixelBytes ?? (int)(width * height);
        var file = new byte[dataAt + present];
        "II*\0"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), ifdOffset ?? 8);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            var (tag, type, value) = entries[i];
            int at = 10 + (i * 12);
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 4), 1);
            uint v = tag == 273 ? stripOffset ?? dataAt : value;
            if (type == 3)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 8), (ushort)v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 8), v);
            }
        }

        file.AsSpan((int)dataAt).Fill(128);
        return file;
    }

    /// <summary>The same grey 16x16 strip image as <see cref="Tiff"/>, as a BigTIFF (version 43, 8-byte offsets).</summary>
    public static byte[] BigTiff(uint width = 16, uint height = 16, ulong? stripByteCount = null)
    {
        var entries = new (ushort Tag, ushort Type, ulong Value)[]
        {
            (256, 4, width),
            (257, 4, height),
            (258, 3, 8),
            (259, 3, 1),
            (262, 3, 1),
            (273, 16, 0), // patched below
            (277, 3, 1),
            (278, 4, height),
            (279, 16, stripByteCount ?? (width * height)),
        };
        int directorySize = 8 + (entries.Length * 20) + 8;
        ulong dataAt = (ulong)(16 + directorySize);
        var file = new byte[(int)dataAt + (int)(width * height)];
        "II+\0"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(8), 16);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(16), (ulong)entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            var (tag, type, value) = entries[i];
            int at = 24 + (i * 20);
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + 4), 1);
            ulong v = tag == 273 ? dataAt : value;
            switch (type)
            {
                case 3: BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 12), (ushort)v); break;
                case 4: BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 12), (uint)v); break;
                default: BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + 12), v); break;
            }
        }

        file.AsSpan((int)dataAt).Fill(128);
        return file;
    }

    /// <summary>Every named hostile case of the holes 1, 4 and 5, with a short name for test output.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        foreach (uint length in BoundaryLengths)
        {
            foreach (string type in new[] { "tEXt", "prIv", "abCd", "IDAT" })
            {
                yield return ($"png-{type}-{length:X8}-before-idat", PngWithChunk(type, length, beforeIdat: true));
                yield return ($"png-{type}-{length:X8}-after-idat", PngWithChunk(type, length, beforeIdat: false));
            }

            yield return ($"webp-JUNK-{length:X8}", WebpWithTrailingChunk("JUNK", length));
            yield return ($"webp-ABCD-{length:X8}", WebpWithTrailingChunk("ABCD", length));
            yield return ($"webp-vp8x-exif-{length:X8}", WebpVp8xWithExif(length));
            yield return ($"tiff-stripbytes-{length:X8}", Tiff(stripByteCount: length));
            yield return ($"tiff-ifd-{length:X8}", Tiff(ifdOffset: length));
            yield return ($"tiff-stripoffset-{length:X8}", Tiff(stripOffset: length));
        }

        yield return ("tiff-rowsperstrip-0", Tiff(rowsPerStrip: 0));
        yield return ("tiff-7000x7000-64-bytes", Tiff(7000, 7000, pixelBytes: 64));
        yield return ("tiff-strip-past-end", Tiff(pixelBytes: 8));
        yield return ("bigtiff", BigTiff());
        yield return ("bigtiff-stripbytes-huge", BigTiff(stripByteCount: 0xFFFFFFFFFFFFFFF0));
        yield return ("png-100000-idat", PngWithManyIdatChunks(100_000));
    }

    /// <summary>
    /// An 8-bit palette BMP (4x4, a 2-colour table) whose BITMAPINFOHEADER says biClrUsed = 0xFFFFFFFF: the report's
    /// thumbnailer threw a NullReferenceException on it (issue 15, hole 11).
    /// </summary>
    public static byte[] BmpClrUsedFfffffff()
    {
        const int width = 4, height = 4, paletteBytes = 2 * 4, pixelOffset = 14 + 40 + paletteBytes;
        var bmp = new byte[pixelOffset + (width * height)];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(2), (uint)bmp.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(10), pixelOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(28), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(34), width * height);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(46), 0xFFFFFFFF); // biClrUsed
        bmp[54 + 6] = 0xFF; // second palette entry red (B, G, R, 0)
        bmp.AsSpan(pixelOffset).Fill(1);
        return bmp;
    }

    /// <summary>
    /// A GIF of a <paramref name="screen"/> x <paramref name="screen"/> logical screen holding <paramref name="frames"/>
    /// one-pixel frames: 2.3 KB for 100 frames on 2000x2000, but a decoder that keeps every frame makes each one a full
    /// screen (ImageSharp's <c>Image.Load</c>, as the report called it: 1,163 MiB; the issue measured 1.28 GB).
    /// </summary>
    public static byte[] GifWideScreenManyFrames(int screen = 2000, int frames = 100)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        Span<byte> word = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)screen);
        gif.Write(word);
        gif.Write(word);
        gif.Write([0x80, 0, 0]); // global colour table of 2 entries
        gif.Write([0, 0, 0, 255, 0, 0]);
        for (int i = 0; i < frames; i++)
        {
            gif.Write([0x21, 0xF9, 4, 0, 10, 0, 0, 0]); // graphic control: 0.1 s
            gif.WriteByte(0x2C);
            gif.Write([0, 0, 0, 0, 1, 0, 1, 0, 0]); // at 0,0, 1x1, no local colour table
            gif.WriteByte(2); // LZW minimum code size
            gif.Write([2, 0x44, 0x01, 0]); // clear (4), pixel 0, end (5) as 3-bit codes from the low bit; terminator
        }

        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    internal static int FindPngChunk(byte[] png, string type)
    {
        int offset = 8;
        byte[] wanted = Encoding.ASCII.GetBytes(type);
        while (offset + 8 <= png.Length)
        {
            if (png.AsSpan(offset + 4, 4).SequenceEqual(wanted))
            {
                return offset;
            }

            offset += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
        }

        throw new InvalidDataException($"no {type} chunk");
    }

    /// <summary>The PNG chunk CRC (ISO 3309 / ITU-T V.42, as in the PNG specification's sample code).</summary>
    internal static uint Crc32Png(ReadOnlySpan<byte> typeAndData)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in typeAndData)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
