using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Hostile and degenerate files made in memory, byte by byte where a library would refuse to write them.</summary>
internal static class HostileImages
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);

        // Make sure it does not start like any image format by chance.
        bytes[0] = (byte)'Z';
        return bytes;
    }

    /// <summary>A real JPEG cut after <paramref name="fraction"/> of its bytes.</summary>
    public static byte[] TruncatedJpeg(double fraction)
    {
        var jpeg = TestImages.SolidJpeg(new Rgb24(200, 30, 30), 640, 480);
        return jpeg[..Math.Max(4, (int)(jpeg.Length * fraction))];
    }

    /// <summary>A real JPEG cut just after its SOF0 frame header: dimensions readable, no scan data at all.</summary>
    public static byte[] JpegCutAfterFrameHeader()
    {
        var jpeg = TestImages.SolidJpeg(new Rgb24(200, 30, 30), 640, 480);
        var sof = FindMarker(jpeg, 0xC0);
        var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(sof + 2));
        return jpeg[..(sof + 2 + length)];
    }

    /// <summary>A real small JPEG whose SOF0 header is patched to claim <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static byte[] JpegClaiming(int width, int height)
    {
        var jpeg = TestImages.SolidJpeg(new Rgb24(30, 200, 30), 64, 64);
        var sof = FindMarker(jpeg, 0xC0);

        // SOF0: FF C0, length (2), precision (1), height (2), width (2).
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), checked((ushort)height));
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), checked((ushort)width));
        return jpeg;
    }

    /// <summary>
    /// A PNG decompression bomb: a valid IHDR claiming <paramref name="side"/> x <paramref name="side"/> RGB and a
    /// valid IDAT holding a few MB of deflated zeros (the start of a multi-GB image). Inflating it would need
    /// side*side*3 bytes; it must be rejected from the header.
    /// </summary>
    public static byte[] PngBomb(int side = 50_000)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), side);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), side);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        WriteChunk(png, "IHDR", ihdr);

        using var deflated = new MemoryStream();
        using (var zlib = new ZLibStream(deflated, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 16; i++) zlib.Write(zeros);
        }

        WriteChunk(png, "IDAT", deflated.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static byte[] TextNamedPng() => Encoding.UTF8.GetBytes("This is a text file, not a PNG.\nIt only has the extension.\n");

    private static int FindMarker(byte[] jpeg, byte marker)
    {
        for (var i = 2; i < jpeg.Length - 1; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker) return i;
        }

        throw new InvalidOperationException($"No FF{marker:X2} marker.");
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typeAndData);
        data.CopyTo(typeAndData, 4);
        png.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        png.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }

        return ~crc;
    }
}
