using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Tests.Imaging;

public class ImageFormatSnifferTests
{
    [Theory]
    [InlineData("FFD8FFE0", ImageFormat.Jpeg)]
    [InlineData("89504E470D0A1A0A", ImageFormat.Png)]
    [InlineData("474946383961", ImageFormat.Gif)]
    [InlineData("474946383761", ImageFormat.Gif)]
    [InlineData("52494646000000005745425056503820", ImageFormat.Webp)]
    [InlineData("49492A00", ImageFormat.Tiff)]
    [InlineData("4D4D002A", ImageFormat.Tiff)]
    [InlineData("424D000000000000000000000000280000000000", ImageFormat.Bmp)]
    [InlineData("0000001C667479706176696600000000617669666D696631", ImageFormat.Avif)]
    [InlineData("00000018667479706D69663100000000617669660000", ImageFormat.Avif)]
    [InlineData("0000001C667479706865696300000000686569636D696631", ImageFormat.Heif)]
    [InlineData("424D4520746578742073746172747320776974682042", ImageFormat.Unknown)]
    [InlineData("48656C6C6F2C20776F726C64", ImageFormat.Unknown)]
    [InlineData("FFD8", ImageFormat.Unknown)]
    [InlineData("", ImageFormat.Unknown)]
    public void Detect_MagicBytes_ReturnsFormat(string hex, ImageFormat expected)
    {
        // Arrange
        byte[] bytes = Convert.FromHexString(hex);

        // Act
        var format = ImageFormatSniffer.Detect(bytes);

        // Assert
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData("hopper.bmp", ImageFormat.Bmp)]
    [InlineData("hopper.tif", ImageFormat.Tiff)]
    [InlineData("hopper.webp", ImageFormat.Webp)]
    [InlineData("anim_iss634.gif", ImageFormat.Gif)]
    [InlineData("exif.avif", ImageFormat.Avif)]
    [InlineData("cmyk_pil_sample_cmyk.jpg", ImageFormat.Jpeg)]
    [InlineData("monkey16.png", ImageFormat.Png)]
    public void Detect_RealFile_ReturnsItsFormat(string edgeFile, ImageFormat expected)
    {
        // Arrange
        byte[] bytes = File.ReadAllBytes(TestData.Edge(edgeFile));

        // Act
        var format = ImageFormatSniffer.Detect(bytes);

        // Assert
        Assert.Equal(expected, format);
    }
}
