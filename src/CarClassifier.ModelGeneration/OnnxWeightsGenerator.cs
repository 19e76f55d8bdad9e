using CarClassifier.Core.Models;

namespace CarClassifier.ModelGeneration;

/// <summary>The <see cref="IModelWeightsGenerator"/> the model store calls for generated manifests.</summary>
public sealed class OnnxWeightsGenerator : IModelWeightsGenerator
{
    public static OnnxWeightsGenerator Instance { get; } = new();

    public byte[] Generate(ModelManifest manifest) => GeneratedModelFactory.Create(manifest).ToByteArray();
}
