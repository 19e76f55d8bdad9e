using CarClassifier.Core.Models;

namespace CarClassifier.ModelGeneration;

/// <summary>Turns a manifest's <see cref="ModelGenerator"/> into an ONNX model that honours the manifest's contract.</summary>
public static class GeneratedModelFactory
{
    public const string ResNet50Kind = "resnet50";

    /// <summary>ResNet-50 with the same seeded weights in float16 (float32 input and output via Cast).</summary>
    public const string ResNet50Float16Kind = "resnet50-fp16";

    public const string ColorKind = "color";

    /// <summary>Builds the model; throws <see cref="InvalidDataException"/> if the manifest's kind or contract does not fit it.</summary>
    public static OnnxModel Create(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var generator = manifest.Generator
            ?? throw new InvalidDataException($"Model '{manifest.Name}' has no generator.");

        var model = generator.Kind switch
        {
            ResNet50Kind => ResNet50Generator.Build(generator.Seed, checked((int)manifest.Output.Shape[1])),
            ResNet50Float16Kind => ResNet50Generator.Build(generator.Seed, checked((int)manifest.Output.Shape[1]), float16: true),
            ColorKind => ColorModelGenerator.Build(manifest.Preprocess),
            _ => throw new InvalidDataException(
                $"Model '{manifest.Name}' names unknown generator kind '{generator.Kind}'; known kinds: {ResNet50Kind}, {ResNet50Float16Kind}, {ColorKind}."),
        };

        // Catch a manifest that promises names or shapes the generator does not produce now,
        // rather than as a confusing ONNX Runtime error on the first batch.
        CheckContract(manifest.Name, "input", manifest.Input, model.Graph.Inputs[0]);
        CheckContract(manifest.Name, "output", manifest.Output, model.Graph.Outputs[0]);
        return model;
    }

    private static void CheckContract(string modelName, string role, TensorSpec expected, OnnxValueInfo actual)
    {
        if (expected.Name != actual.Name || !expected.Shape.SequenceEqual(actual.Shape))
        {
            throw new InvalidDataException(
                $"Model '{modelName}' declares {role} {expected.Name} [{string.Join(',', expected.Shape)}] but its generator " +
                $"produces {actual.Name} [{string.Join(',', actual.Shape)}].");
        }
    }
}
