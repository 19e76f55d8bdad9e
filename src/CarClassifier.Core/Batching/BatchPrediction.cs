using CarClassifier.Core.Postprocessing;

namespace CarClassifier.Core.Batching;

/// <summary>What one image got back from the batcher.</summary>
/// <param name="TopK">Best classes, most probable first.</param>
/// <param name="BatchSize">How many images shared the ONNX Run.</param>
/// <param name="BatchWait">Time the image waited in the batcher before its Run started.</param>
/// <param name="Inference">Wall time of the Run it was part of.</param>
public sealed record BatchPrediction(ClassScore[] TopK, int BatchSize, TimeSpan BatchWait, TimeSpan Inference);
