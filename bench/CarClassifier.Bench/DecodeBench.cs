using CarClassifier.Core.Imaging;

namespace CarClassifier.Bench;

/// <summary>
/// Decode + preprocess (bytes in memory to the normalised 3x224x224 tensor) on ONE thread, so the number is
/// images per second per core. Every decoder decodes the same files in the same order.
/// </summary>
internal static class DecodeBench
{
    public static IEnumerable<BenchResult> Run(BenchSettings settings, IReadOnlyList<PhotoClass> photos, Action<string> note)
    {
        var names = settings.Decoders.ToList();
        if (!TurboJpegDecoder.IsAvailable && names.RemoveAll(n => n.Equals(TurboJpegDecoder.DecoderName, StringComparison.OrdinalIgnoreCase)) > 0)
        {
            // It would fall back to skia and measure skia under its own name.
            note($"turbojpeg decoder skipped: {TurboJpegDecoder.UnavailableReason}");
        }

        var recipe = new PreprocessRecipe();
        var tensor = new float[recipe.ImageTensorLength];
        foreach (var photoClass in photos)
        {
            foreach (var name in names)
            {
                var decoder = name.ToLowerInvariant() switch
                {
                    SkiaDecoder.DecoderName => new SkiaDecoder { MinimumOversample = settings.Oversample },
                    TurboJpegDecoder.DecoderName => new TurboJpegDecoder(new SkiaDecoder { MinimumOversample = settings.Oversample }),
                    _ => ImageDecoderFactory.Create(name),
                };
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
