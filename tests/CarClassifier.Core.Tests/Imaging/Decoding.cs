using System.Collections.Concurrent;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>Runs decoders with the default recipe and limits, caching photo tensors across tests (decoding is the slow part).</summary>
internal static class Decoding
{
    public static readonly PreprocessRecipe Recipe = new();

    private static readonly ConcurrentDictionary<(string Decoder, string Path), float[]> Cache = new();

    public static TheoryData<string> DecoderNames() => new(ImageDecoderFactory.Names);

    public static float[] Decode(string decoderName, byte[] encoded, PreprocessRecipe? recipe = null)
    {
        recipe ??= Recipe;
        var tensor = new float[recipe.ImageTensorLength];
        ImageDecoderFactory.Create(decoderName).DecodeInto(encoded, recipe, ImageLimits.Default, tensor);
        return tensor;
    }

    public static float[] DecodeFile(string decoderName, string path) =>
        Cache.GetOrAdd((decoderName, path), key => Decode(key.Decoder, File.ReadAllBytes(key.Path)));

    /// <summary>The normalised value of an 8-bit component in RGB channel <paramref name="channel"/> under the default recipe.</summary>
    public static float Normalised(int channel, int value) => ((value * Recipe.Scale) - Recipe.Mean[channel]) / Recipe.Std[channel];
}
