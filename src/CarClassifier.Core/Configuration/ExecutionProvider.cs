namespace CarClassifier.Core.Configuration;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum ExecutionProvider
{
    Cpu,
    Cuda,
}
