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
}
