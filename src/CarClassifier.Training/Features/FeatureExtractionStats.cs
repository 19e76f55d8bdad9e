namespace CarClassifier.Training.Features;

/// <summary>What extraction cost: images from the cache, images extracted, wall and ONNX Runtime time, tensors run.</summary>
public sealed record FeatureExtractionStats(int FromCache, int Extracted, TimeSpan Elapsed, TimeSpan Inference, int Tensors)
{
    /// <summary>Extracted images per second of wall time (decode + both passes), or 0 when everything came from the cache.</summary>
    public double ImagesPerSecond => Extracted > 0 && Elapsed.TotalSeconds > 0 ? Extracted / Elapsed.TotalSeconds : 0;

    /// <summary>Forward passes per second inside ONNX Runtime: the number to compare with serving at the same batch size.</summary>
    public double TensorsPerSecond => Tensors > 0 && Inference.TotalSeconds > 0 ? Tensors / Inference.TotalSeconds : 0;
}
