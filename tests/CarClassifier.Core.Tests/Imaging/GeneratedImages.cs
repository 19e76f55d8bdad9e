using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>Small images made in memory with ImageSharp, and byte patches of real files.</summary>
internal static class GeneratedImages
{
    /// <summary>
    /// 16x16 CMYK JPEG, every pixel C=0 M=255 Y=255 K=0 (pure red), written by Pillow 9.4 (Adobe APP14, inverted CMYK):
    /// <c>Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(buf, "JPEG", quality=95)</c>. Pillow reads it back as (255, 0, 0).
    /// </summary>
    public static byte[] SolidRedCmykJpeg { get; } = Convert.FromBase64String(
        "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwACAQEBAQECAQEBAgICAgIEAwICAgIFBAQDBAYFBgYGBQYGBgcJCAYHCQcGBggLCAkKCgoKCgYICwwLCgwJCgoK" +
        "/8AAFAgAEAAQBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFB" +
        "BhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqS" +
        "k5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD9/K/n/r+f" +
        "+v38oooooooooooor//Z");

    public static byte[] Png(int width, int height, Rgba32 colour)
    {
        using var image = new Image<Rgba32>(width, height, colour);
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder());
        return stream.ToArray();
    }

    public static byte[] Jpeg(int width, int height, Rgb24 colour)
    {
        using var image = new Image<Rgb24>(width, height, colour);
        using var stream = new MemoryStream();
        image.Save(stream, new JpegEncoder { Quality = 95 });
        return stream.ToArray();
    }

    /// <summary>A PNG whose top half is red and bottom half blue, carrying an EXIF orientation in its eXIf chunk.</summary>
    public static byte[] PngTopHalfRedWithOrientation(int width, int height, ushort orientation)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32(0, 0, 255, 255));
        for (int y = 0; y < height / 2; y++)
        {
            image.DangerousGetPixelRowMemory(y).Span.Fill(new Rgba32(255, 0, 0, 255));
        }

        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, orientation);
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder());
        return stream.ToArray();
    }

    /// <summary>Copies a baseline JPEG and overwrites the height and width in its SOF0 segment.</summary>
    public static byte[] JpegWithPatchedSize(byte[] jpeg, int width, int height)
    {
        byte[] patched = (byte[])jpeg.Clone();
        for (int i = 2; i + 9 < patched.Length; i++)
        {
            if (patched[i] == 0xFF && patched[i + 1] == 0xC0)
            {
                // FF C0, length (2), precision (1), height (2), width (2)
                patched[i + 5] = (byte)(height >> 8);
                patched[i + 6] = (byte)height;
                patched[i + 7] = (byte)(width >> 8);
                patched[i + 8] = (byte)width;
                return patched;
            }
        }

        throw new InvalidOperationException("No SOF0 marker found.");
    }

    /// <summary>
    /// A valid grey progressive JPEG (mid-grey, every AC coefficient zero) split into far more scans than any encoder
    /// writes: one DC scan, then for each of the 63 AC coefficients a first scan at bit <paramref name="firstBit"/> and a
    /// refinement scan for every bit below it, 1 + 63 * (firstBit + 1) scans in all (694 for 10). Each scan revisits
    /// every block, which is how a few kilobytes of such a file can cost minutes of CPU at camera sizes.
    /// </summary>
    public static byte[] ProgressiveJpegWithManyScans(int width, int height, int firstBit = 10)
    {
        int blocks = ((width + 7) / 8) * ((height + 7) / 8);
        var jpeg = new List<byte> { 0xFF, 0xD8 };
        void Segment(byte marker, params byte[] body)
        {
            jpeg.AddRange([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]);
            jpeg.AddRange(body);
        }

        // One code, "0", for symbol 0: DC difference 0 in the DC table, EOB (end of band for this block) in the AC table.
        byte[] oneCodeTable = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00];
        void Scan(byte spectralStart, byte spectralEnd, int high, int low)
        {
            Segment(0xDA, 1, 1, 0x00, spectralStart, spectralEnd, (byte)((high << 4) | low));
            // Every block codes the single 1-bit code "0"; the last byte is padded with 1 bits.
            jpeg.AddRange(new byte[blocks / 8]);
            if (blocks % 8 != 0)
            {
                jpeg.Add((byte)(0xFF >> (blocks % 8)));
            }
        }

        Segment(0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(0xC2, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0);
        Segment(0xC4, [0x00, .. oneCodeTable]);
        Segment(0xC4, [0x10, .. oneCodeTable]);
        Scan(0, 0, 0, 0);
        for (byte k = 1; k <= 63; k++)
        {
            Scan(k, k, 0, firstBit);
            for (int bit = firstBit; bit > 0; bit--)
            {
                Scan(k, k, bit, bit - 1);
            }
        }

        jpeg.AddRange([0xFF, 0xD9]);
        return [.. jpeg];
    }
}
