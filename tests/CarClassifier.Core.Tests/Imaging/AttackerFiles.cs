using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// Issue 21's classes of hostile files, generated the way an attacker would make them (linked into the end-to-end tests
/// too): metadata bombs (EXIF entries sharing one region, tens of thousands of tiny entries, hundreds of ICC chunks,
/// deflated text chunks), broken EXIF structures on valid pictures, damaged restart markers in entropy-coded data, and
/// common formats this classifier does not accept. Everything is built in code from a solid colour, so the right
/// answer is known: a valid picture under broken metadata must still classify as its colour.
/// </summary>
internal static class AttackerFiles
{
    private static readonly Rgb24 Red = new(255, 0, 0);

    // ---- EXIF (a TIFF structure, little-endian) ----

    /// <summary>One IFD entry: tag, type, count, and the 4-byte value or offset field.</summary>
    private readonly record struct Entry(ushort Tag, ushort Type, uint Count, uint Value);

    /// <summary>
    /// An EXIF block ("Exif\0\0" + TIFF header) whose IFD0 holds <paramref name="entries"/> (sorted as written) and points
    /// to the next IFD at <paramref name="nextIfd"/>, followed by <paramref name="tail"/> (at TIFF offset 8 + IFD0's size).
    /// </summary>
    private static byte[] ExifBlock(IReadOnlyList<Entry> entries, uint nextIfd, ReadOnlySpan<byte> tail)
    {
        int ifdSize = 2 + (entries.Count * 12) + 4;
        var tiff = new byte[8 + ifdSize + tail.Length];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), (ushort)entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            var at = tiff.AsSpan(10 + (i * 12));
            BinaryPrimitives.WriteUInt16LittleEndian(at, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(at[2..], entries[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], entries[i].Count);
            BinaryPrimitives.WriteUInt32LittleEndian(at[8..], entries[i].Value);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(8 + ifdSize - 4), nextIfd);
        tail.CopyTo(tiff.AsSpan(8 + ifdSize));
        return [.. "Exif\0\0"u8, .. tiff];
    }

    /// <summary>TIFF offset where the tail of <see cref="ExifBlock"/> starts for IFD0 with <paramref name="entries"/> entries.</summary>
    private static uint TailOffset(int entries) => (uint)(8 + 2 + (entries * 12) + 4);

    private static Entry Orientation(ushort value) => new(0x0112, 3, 1, value);

    /// <summary>
    /// The memory bomb: <paramref name="entries"/> UNDEFINED entries (distinct tags) whose values all point at
    /// one <paramref name="regionBytes"/>-byte region. Tens of KB on disk; a reader that copies each value holds
    /// entries x region (4,000 x 12 KB = 48 MB per file).
    /// </summary>
    public static byte[] ExifSharedRegionBomb(int entries = 4000, int regionBytes = 12_000, ushort orientation = 1)
    {
        var list = new List<Entry> { Orientation(orientation) };
        for (int i = 0; i < entries; i++)
        {
            list.Add(new Entry((ushort)(0x9000 + i), 7, (uint)regionBytes, TailOffset(entries + 1)));
        }

        return ExifBlock(list, 0, new byte[regionBytes]);
    }

    /// <summary>The CPU bomb: IFD0 with <paramref name="entries"/> tiny inline entries (65,535 is the most a u16 count allows).</summary>
    public static byte[] ExifManyTinyEntries(int entries, ushort orientation = 1)
    {
        var list = new List<Entry> { Orientation(orientation) };
        for (int i = 1; i < entries; i++)
        {
            list.Add(new Entry((ushort)(0x1000 + i), 3, 1, (uint)i));
        }

        return ExifBlock(list, 0, []);
    }

    /// <summary>IFD0 whose EXIF sub-IFD (0x8769) is an IFD that points to itself as its own EXIF sub-IFD.</summary>
    public static byte[] ExifSelfReferencingSubIfd(ushort orientation = 1)
    {
        uint sub = TailOffset(2);
        var subIfd = new byte[2 + 12 + 4];
        BinaryPrimitives.WriteUInt16LittleEndian(subIfd, 1);
        BinaryPrimitives.WriteUInt16LittleEndian(subIfd.AsSpan(2), 0x8769);
        BinaryPrimitives.WriteUInt16LittleEndian(subIfd.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(subIfd.AsSpan(6), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(subIfd.AsSpan(10), sub);
        return ExifBlock([Orientation(orientation), new Entry(0x8769, 4, 1, sub)], 0, subIfd);
    }

    /// <summary>IFD0 whose EXIF (0x8769) and GPS (0x8825) sub-IFD pointers both point back to IFD0, and whose next IFD is IFD0.</summary>
    public static byte[] ExifSubIfdsPointBackToIfd0(ushort orientation = 1) =>
        ExifBlock([Orientation(orientation), new Entry(0x8769, 4, 1, 8), new Entry(0x8825, 4, 1, 8)], 8, []);

    /// <summary>IFD0 and then <paramref name="depth"/> EXIF sub-IFDs, each the only entry of the one before.</summary>
    public static byte[] ExifNestedSubIfds(int depth = 3000, ushort orientation = 1)
    {
        uint first = TailOffset(2);
        var chain = new byte[depth * 18];
        for (int i = 0; i < depth; i++)
        {
            var ifd = chain.AsSpan(i * 18);
            uint next = i + 1 < depth ? first + (uint)((i + 1) * 18) : 0;
            BinaryPrimitives.WriteUInt16LittleEndian(ifd, next == 0 ? (ushort)0 : (ushort)1);
            BinaryPrimitives.WriteUInt16LittleEndian(ifd[2..], 0x8769);
            BinaryPrimitives.WriteUInt16LittleEndian(ifd[4..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(ifd[6..], 1);
            BinaryPrimitives.WriteUInt32LittleEndian(ifd[10..], next);
        }

        return ExifBlock([Orientation(orientation), new Entry(0x8769, 4, 1, first)], 0, chain);
    }

    // ---- Containers ----

    /// <summary>A red 64x64 JPEG (ImageSharp, baseline) with <paramref name="segments"/> inserted right after SOI.</summary>
    public static byte[] JpegWithSegments(params (byte Marker, byte[] Data)[] segments)
    {
        byte[] jpeg = GeneratedImages.Jpeg(64, 64, Red);
        using var output = new MemoryStream();
        output.Write(jpeg, 0, 2);
        foreach (var (marker, data) in segments)
        {
            if (data.Length > 65533)
            {
                throw new ArgumentException($"a JPEG segment holds at most 65533 bytes, not {data.Length}", nameof(segments));
            }

            output.Write([0xFF, marker, (byte)((data.Length + 2) >> 8), (byte)(data.Length + 2)]);
            output.Write(data);
        }

        output.Write(jpeg, 2, jpeg.Length - 2);
        return output.ToArray();
    }

    /// <summary>A red 64x64 JPEG whose APP1 segment holds <paramref name="exif"/>.</summary>
    public static byte[] JpegWithExif(byte[] exif) => JpegWithSegments((0xE1, exif));

    /// <summary>
    /// A red JPEG with <paramref name="chunks"/> APP2 ICC_PROFILE chunks of <paramref name="chunkBytes"/> each (the issue's
    /// 52 MB file had 800 of 64 KB). The sequence numbers wrap at 255, as a byte must.
    /// </summary>
    public static byte[] JpegWithIccChunks(int chunks, int chunkBytes = 65_000)
    {
        var segments = new (byte, byte[])[chunks];
        for (int i = 0; i < chunks; i++)
        {
            var data = new byte[14 + chunkBytes];
            "ICC_PROFILE\0"u8.CopyTo(data);
            data[12] = (byte)((i % 255) + 1);
            data[13] = (byte)Math.Min(chunks, 255);
            segments[i] = (0xE2, data);
        }

        return JpegWithSegments(segments);
    }

    /// <summary>A red JPEG with <paramref name="count"/> tiny COM segments (per-segment work for every decoder).</summary>
    public static byte[] JpegWithManyComments(int count) =>
        JpegWithSegments(Enumerable.Range(0, count).Select(_ => ((byte)0xFE, new byte[] { (byte)'x' })).ToArray());

    /// <summary>A red 64x64 PNG with the given chunks inserted before IDAT.</summary>
    public static byte[] PngWithChunks(params (string Type, byte[] Data)[] chunks)
    {
        byte[] png = GeneratedImages.Png(64, 64, new Rgba32(255, 0, 0, 255));
        int idat = HostileFiles.FindPngChunk(png, "IDAT");
        using var output = new MemoryStream();
        output.Write(png, 0, idat);
        foreach (var (type, data) in chunks)
        {
            var chunk = new byte[12 + data.Length];
            BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
            Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
            data.CopyTo(chunk.AsSpan(8));
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), HostileFiles.Crc32Png(chunk.AsSpan(4, 4 + data.Length)));
            output.Write(chunk);
        }

        output.Write(png, idat, png.Length - idat);
        return output.ToArray();
    }

    /// <summary>A red PNG whose eXIf chunk holds <paramref name="exif"/> (without the "Exif\0\0" prefix, as PNG stores it).</summary>
    public static byte[] PngWithExif(byte[] exif) => PngWithChunks(("eXIf", exif[6..]));

    /// <summary>
    /// A red PNG with <paramref name="count"/> zTXt chunks, each <paramref name="inflatedBytes"/> of zeros deflated (about
    /// 1 KB per MB): small on disk, and a decoder that inflates text keeps count x inflatedBytes.
    /// </summary>
    public static byte[] PngWithDeflatedText(int count, int inflatedBytes = 1 << 20)
    {
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(new byte[inflatedBytes]);
        }

        byte[] data = [.. "Comment\0\0"u8, .. compressed.ToArray()];
        return PngWithChunks(Enumerable.Range(0, count).Select(_ => ("zTXt", data)).ToArray());
    }

    /// <summary>A red PNG with <paramref name="count"/> tiny tEXt chunks.</summary>
    public static byte[] PngWithManyTextChunks(int count) =>
        PngWithChunks(Enumerable.Range(0, count).Select(_ => ("tEXt", "k\0v"u8.ToArray())).ToArray());

    /// <summary>
    /// A 64x64 uncompressed 8-bit grey TIFF whose one directory also holds <paramref name="entries"/> fields whose values all
    /// point at its pixel strip (4,096 bytes): a reader that copies each field's values copies the strip once per field.
    /// </summary>
    public static byte[] TiffSharedRegionBomb(int entries)
    {
        const int side = 64;
        var list = new List<Entry>
        {
            new(256, 3, 1, side), new(257, 3, 1, side), new(258, 3, 1, 8), new(259, 3, 1, 1), new(262, 3, 1, 1),
            new(273, 4, 1, 0), new(277, 3, 1, 1), new(278, 3, 1, side), new(279, 4, 1, side * side),
        };
        for (int i = 0; i < entries; i++)
        {
            list.Add(new Entry((ushort)(40000 + i), 7, side * side, 0));
        }

        return Tiff(list, side * side, 0x80, loop: false);
    }

    /// <summary>A valid 64x64 grey TIFF whose directory's next-directory offset points back at itself (a chain that never ends).</summary>
    public static byte[] TiffDirectoryLoop()
    {
        const int side = 64;
        var list = new List<Entry>
        {
            new(256, 3, 1, side), new(257, 3, 1, side), new(258, 3, 1, 8), new(259, 3, 1, 1), new(262, 3, 1, 1),
            new(273, 4, 1, 0), new(277, 3, 1, 1), new(278, 3, 1, side), new(279, 4, 1, side * side),
        };
        return Tiff(list, side * side, 0x80, loop: true);
    }

    /// <summary>Classic little-endian TIFF: header, the strip, then one directory; 0-valued offsets (tag 273 and UNDEFINED fields) point at the strip.</summary>
    private static byte[] Tiff(List<Entry> entries, int stripBytes, byte grey, bool loop)
    {
        uint strip = 8;
        uint ifd = strip + (uint)stripBytes;
        var file = new byte[ifd + 2 + (entries.Count * 12) + 4];
        "II"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), ifd);
        file.AsSpan((int)strip, stripBytes).Fill(grey);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan((int)ifd), (ushort)entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            uint value = (e.Tag == 273 || e.Type == 7) && e.Value == 0 ? strip : e.Value;
            var at = file.AsSpan((int)ifd + 2 + (i * 12));
            BinaryPrimitives.WriteUInt16LittleEndian(at, e.Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(at[2..], e.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], e.Count);
            if (e.Type == 3 && e.Count == 1)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(at[8..], (ushort)value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(at[8..], value);
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), loop ? ifd : 0);
        return file;
    }

    // ---- Formats we do not accept ----

    private const string SvgBody = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\"><rect width=\"64\" height=\"64\" fill=\"red\"/></svg>";

    /// <summary>The common formats a user may upload that are not accepted, each with a word its reason must contain.</summary>
    public static IEnumerable<(string Name, byte[] Bytes, string Named)> ForeignFiles()
    {
        yield return ("plain.svg", Encoding.UTF8.GetBytes(SvgBody), "SVG");
        yield return ("prolog.svg", Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- drawn by hand -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n" + SvgBody), "SVG");
        yield return ("bom.svg", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("\n  " + SvgBody)], "SVG");
        yield return ("utf16.svg", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + SvgBody)], "SVG");
        yield return ("drawing.svgz", Gzip(Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?>\n" + SvgBody)), "SVGZ");
        yield return ("image.jp2", [0x00, 0x00, 0x00, 0x0C, .. "jP  "u8, 0x0D, 0x0A, 0x87, 0x0A, 0x00, 0x00, 0x00, 0x14, .. "ftypjp2 "u8, 0, 0, 0, 0, .. "jp2 "u8, .. new byte[64]], "JPEG 2000");
        yield return ("codestream.j2k", [0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, .. new byte[64]], "JPEG 2000");
        yield return ("image.jxl", [0xFF, 0x0A, 0xFA, 0x1F, .. new byte[64]], "JPEG XL");
        yield return ("boxed.jxl", [0x00, 0x00, 0x00, 0x0C, .. "JXL "u8, 0x0D, 0x0A, 0x87, 0x0A, .. new byte[64]], "JPEG XL");
        yield return ("layers.psd", [.. "8BPS"u8, 0x00, 0x01, .. new byte[64]], "Photoshop");
        yield return ("favicon.ico", [0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 16, 16, 0, 0, 1, 0, 32, 0, 0x68, 0x04, 0, 0, 22, 0, 0, 0, .. new byte[64]], "icon");
        yield return ("scan.pdf", [.. "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"u8, .. new byte[64]], "PDF");
        yield return ("avif-64bit-ftyp.avif", Ftyp64("avif", ["mif1", "miaf"]), "Avif");
        yield return ("avif-late-brand.avif", FtypWithLateBrand(), "Avif");
        yield return ("clip.mp4", Ftyp32("isom", ["isom", "iso2", "avc1", "mp41"]), "video");
        yield return ("error-page.jpg", Encoding.UTF8.GetBytes("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>"), "HTML");
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Ftyp32(string major, string[] compatible)
    {
        var box = new byte[16 + (compatible.Length * 4)];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        "ftyp"u8.CopyTo(box.AsSpan(4));
        Encoding.ASCII.GetBytes(major, box.AsSpan(8));
        for (int i = 0; i < compatible.Length; i++)
        {
            Encoding.ASCII.GetBytes(compatible[i], box.AsSpan(16 + (i * 4)));
        }

        return [.. box, .. new byte[64]];
    }

    /// <summary>An AVIF ftyp box in its 64-bit size form (size field 1, the real size after the type).</summary>
    private static byte[] Ftyp64(string major, string[] compatible)
    {
        var box = new byte[24 + (compatible.Length * 4)];
        BinaryPrimitives.WriteUInt32BigEndian(box, 1);
        "ftyp"u8.CopyTo(box.AsSpan(4));
        BinaryPrimitives.WriteUInt64BigEndian(box.AsSpan(8), (ulong)box.Length);
        Encoding.ASCII.GetBytes(major, box.AsSpan(16));
        for (int i = 0; i < compatible.Length; i++)
        {
            Encoding.ASCII.GetBytes(compatible[i], box.AsSpan(24 + (i * 4)));
        }

        return [.. box, .. new byte[64]];
    }

    /// <summary>An ftyp with major brand mif1 (HEIF's) and fifteen other brands before "avif", which lands past byte 64.</summary>
    private static byte[] FtypWithLateBrand() =>
        Ftyp32("mif1", [.. Enumerable.Range(0, 15).Select(i => $"x{i:D3}"), "avif"]);
}
