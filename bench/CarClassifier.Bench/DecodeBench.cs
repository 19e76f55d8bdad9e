using CarClassifier.Core.Imaging;

namespace CarClassifier.Bench;

/// <summary>
/// Decode + preprocess (bytes in memory to the normalised 3x224x224 tensor) on ONE thread, so the number is
/// images per second per core. Every decoder decodes the same files in the same order.
/// </summary>
internal static class DecodeBench
{
    public static IEnumerable<BenchResult> Run(BenchSettings settings, IReadOnlyList<PhotoClass> photos)
    {
        var recipe = new PreprocessRecipe();
        var tensor = new float[recipe.ImageTensorLength];
        foreach (var photoClass in photos)
        {
            foreach (var name in settings.Decoders)
            {
                var decoder = string.Equals(name, SkiaDecoder.DecoderName, StringComparison.OrdinalIgnoreCase)
                    ? new SkiaDecoder { MinimumOversample = settings.Oversample }
                    : ImageDecoderFactory.Create(name);
                var next = 0;
                var stats = Measure.Rate(
                    () =>
                    {
                        var file = photoClass.Files[next++ % photoClass.Files.Count];
                        decoder.DecodeInto(file.Bytes, recipe, ImageLimits.Default, tensor);
                        return 1;
                    },
                    settings.Warmup,
                    settings.DecodeBudget,
                    settings.Repeats,
                    minCalls: settings.Quick ? 1 : photoClass.Files.Count);
                yield return new BenchResult("decode", photoClass.Name, decoder.Name, "images/s/core", stats)
                {
                    Extra = { ["megapixels"] = photoClass.MeanMegapixels, ["files"] = photoClass.Files.Count },
                };
            }
        }
    }
}
