using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Images whose right answer is known, made in memory.</summary>
internal static class TestImages
{
    public static readonly IReadOnlyDictionary<string, Rgb24> Colours = new Dictionary<string, Rgb24>
    {
        ["red"] = new(255, 0, 0),
        ["green"] = new(0, 255, 0),
        ["blue"] = new(0, 0, 255),
        ["yellow"] = new(255, 255, 0),
        ["white"] = new(255, 255, 255),
        ["black"] = new(0, 0, 0),
    };

    public static byte[] SolidPng(Rgb24 colour, int width = 320, int height = 240)
    {
        using var image = new Image<Rgb24>(width, height, colour);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    public static byte[] SolidJpeg(Rgb24 colour, int width = 320, int height = 240)
    {
        using var image = new Image<Rgb24>(width, height, colour);
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }

    /// <summary>Starts like a JPEG (so it is not rejected by its magic bytes) and then is garbage.</summary>
    public static byte[] CorruptJpeg()
    {
        var random = new Random(7);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        bytes[3] = 0xDB;
        return bytes;
    }
}
