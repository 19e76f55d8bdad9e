using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Tests.Imaging;

public class ImageDecoderFactoryTests
{
    [Theory]
    [InlineData("imagesharp", typeof(ImageSharpDecoder))]
    [InlineData("skia", typeof(SkiaDecoder))]
    [InlineData("SKIA", typeof(SkiaDecoder))]
    [InlineData("turbojpeg", typeof(TurboJpegDecoder))]
    public void Create_KnownName_ReturnsDecoder(string name, Type expected)
    {
        // Act
        var decoder = ImageDecoderFactory.Create(name);

        // Assert
        Assert.IsType(expected, decoder);
        Assert.Equal(name.ToUpperInvariant(), decoder.Name.ToUpperInvariant());
    }

    [Fact]
    public void Create_UnknownName_ThrowsNamingTheKnownDecoders()
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => ImageDecoderFactory.Create("pillow"));

        // Assert
        Assert.Contains("'pillow'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("imagesharp, skia, turbojpeg", ex.Message, StringComparison.Ordinal);
    }
}
