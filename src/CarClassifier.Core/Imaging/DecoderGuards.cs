namespace CarClassifier.Core.Imaging;

/// <summary>Argument checks every <see cref="IImageDecoder"/> runs at its public entry point.</summary>
internal static class DecoderGuards
{
    public static void Check(PreprocessRecipe recipe, ImageLimits limits, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(limits);
        recipe.Validate();
        if (destination.Length < recipe.ImageTensorLength)
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} floats; the recipe needs {recipe.ImageTensorLength}.", nameof(destination));
        }
    }
}
