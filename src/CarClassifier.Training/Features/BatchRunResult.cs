namespace CarClassifier.Training.Features;

/// <summary>
/// Rows per file (null where decoding failed), failure reasons by file index, wall time, time inside ONNX Runtime and
/// the number of tensors run (images, or twice that with flips).
/// </summary>
public sealed record BatchRunResult(float[]?[] Outputs, IReadOnlyDictionary<int, string> Failures, TimeSpan Elapsed, TimeSpan Inference, int Tensors);
