using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Tests.Imaging;

public class PreprocessPlanTests
{
    [Theory]
    [InlineData(1920, 1080, 455, 256)] // int(256 * 1920 / 1080) = int(455.1)
    [InlineData(1080, 1920, 256, 455)]
    [InlineData(4317, 2775, 398, 256)]
    [InlineData(256, 256, 256, 256)]
    [InlineData(105, 89, 302, 256)]
    [InlineData(10000, 1, 2560000, 256)]
    public void ResizedSize_Image_MatchesTorchvision(int width, int height, int expectedWidth, int expectedHeight)
    {
        // Act
        var size = PreprocessPlan.ResizedSize(width, height, 256);

        // Assert
        Assert.Equal((expectedWidth, expectedHeight), size);
    }

    [Theory]
    [InlineData(455, 224, 116)] // round(115.5) = 116 (to even)
    [InlineData(457, 224, 116)] // round(116.5) = 116 (to even)
    [InlineData(256, 224, 16)]
    [InlineData(224, 224, 0)]
    public void CropOffset_Size_RoundsHalfToEvenLikePython(int size, int crop, int expected)
    {
        // Act
        int offset = PreprocessPlan.CropOffset(size, crop);

        // Assert
        Assert.Equal(expected, offset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Create_AnyOrientation_WindowHoldsTheCropInsideTheResizedImage(int orientation)
    {
        // Arrange
        var recipe = new PreprocessRecipe();

        // Act
        var plan = PreprocessPlan.Create(1800, 1201, orientation, recipe);

        // Assert
        Assert.Equal(recipe.CropWidth * recipe.CropHeight, plan.WindowWidth * plan.WindowHeight);
        Assert.InRange(plan.WindowX, 0, plan.ResizedWidth - plan.WindowWidth);
        Assert.InRange(plan.WindowY, 0, plan.ResizedHeight - plan.WindowHeight);
    }
}
