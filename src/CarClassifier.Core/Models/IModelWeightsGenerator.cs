namespace CarClassifier.Core.Models;

/// <summary>
/// Makes the weights of a manifest that names a <see cref="ModelGenerator"/>. Implemented outside Core (the
/// CarClassifier.ModelGeneration project) and registered only by hosts that may generate: the local host, the bench and tests.
/// </summary>
public interface IModelWeightsGenerator
{
    /// <summary>The serialized ONNX model; throws <see cref="InvalidDataException"/> when the manifest's generator or contract does not fit.</summary>
    byte[] Generate(ModelManifest manifest);
}
