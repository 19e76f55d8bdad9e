namespace CarClassifier.Core.Batching;

/// <summary>What the batcher needs from a model: fixed-size images in, fixed-size score rows out.</summary>
public interface IBatchModel
{
    int ImageLength { get; }

    int ClassCount { get; }

    /// <summary>Scores <paramref name="batchSize"/> images back to back in <paramref name="input"/> into <paramref name="output"/>.</summary>
    TimeSpan Run(Memory<float> input, Memory<float> output, int batchSize);
}
