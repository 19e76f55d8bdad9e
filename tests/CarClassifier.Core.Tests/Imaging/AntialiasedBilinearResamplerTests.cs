using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Tests.Imaging;

public class AntialiasedBilinearResamplerTests
{
    [Fact]
    public void ResizeWindow_SourceGivenOnlyAsTheRegionTheKernelsRead_EqualsWholeSource()
    {
        // Arrange: a noisy 300x200 RGBA image, resized to 171x114, window 100x80 at (40, 20). The JPEG path hands the
        // resampler only the decoded region (with its origin); that must not change a single byte.
        const int width = 300, height = 200;
        byte[] whole = new byte[width * height * 4];
        new Random(42).NextBytes(whole);
        var horizontal = ResamplingKernel.Create(width, 171, 40, 100);
        var vertical = ResamplingKernel.Create(height, 114, 20, 80);
        int regionStride = horizontal.Span * 4;
        byte[] region = new byte[regionStride * vertical.Span];
        for (int r = 0; r < vertical.Span; r++)
        {
            whole.AsSpan(((vertical.First + r) * width * 4) + (horizontal.First * 4), regionStride).CopyTo(region.AsSpan(r * regionStride));
        }

        byte[] fromWhole = new byte[100 * 80 * 4];
        byte[] fromRegion = new byte[100 * 80 * 4];

        // Act
        AntialiasedBilinearResampler.ResizeWindow(whole, width * 4, 0, 0, horizontal, vertical, fromWhole);
        AntialiasedBilinearResampler.ResizeWindow(region, regionStride, horizontal.First, vertical.First, horizontal, vertical, fromRegion);

        // Assert
        Assert.Equal(fromWhole, fromRegion);
    }

    [Theory]
    [InlineData(1000, 256)] // shrink: wide kernels
    [InlineData(256, 256)]  // identity
    [InlineData(97, 256)]   // enlarge
    public void ResizeWindow_UniformImage_StaysUniform(int sourceSize, int resizedSize)
    {
        // Arrange: fixed-point weights sum to 1 within rounding, which the +0.5 and the clip must absorb exactly.
        byte[] source = new byte[sourceSize * sourceSize * 4];
        for (int i = 0; i < source.Length; i += 4)
        {
            (source[i], source[i + 1], source[i + 2], source[i + 3]) = (0, 128, 255, 255);
        }

        var kernel = ResamplingKernel.Create(sourceSize, resizedSize, 0, 64);
        byte[] window = new byte[64 * 64 * 4];

        // Act
        AntialiasedBilinearResampler.ResizeWindow(source, sourceSize * 4, 0, 0, kernel, kernel, window);

        // Assert
        for (int i = 0; i < window.Length; i += 4)
        {
            Assert.Equal((0, 128, 255, 255), (window[i], window[i + 1], window[i + 2], window[i + 3]));
        }
    }

    [Fact]
    public void ResizeWindow_SourceTooSmallForTheKernels_Throws()
    {
        // Arrange
        var kernel = ResamplingKernel.Create(100, 50, 0, 50);
        byte[] tooShort = new byte[(100 * 4 * 100) - 4];

        // Act + Assert
        Assert.Throws<ArgumentException>(() => AntialiasedBilinearResampler.ResizeWindow(tooShort, 400, 0, 0, kernel, kernel, new byte[50 * 50 * 4]));
    }
}
