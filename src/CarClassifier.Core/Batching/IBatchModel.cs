using System.Buffers;

namespace CarClassifier.Core.Batching;

/// <summary>What the batcher needs from a model: fixed-size images in, fixed-size score rows out.</summary>
public interface IBatchModel
{
    int ImageLength { get; }

    int ClassCount { get; }

    /// <summary>
    /// A buffer of <paramref name="length"/> floats that <see cref="Run"/> reads fastest as its input: page-locked host
    /// memory under CUDA (the host-to-device copy runs at full DMA speed), a pinned array otherwise. Disposed by the caller
    /// before the model.
    /// </summary>
    IMemoryOwner<float> AllocateInput(int length);

    /// <summary>Scores <paramref name="batchSize"/> images back to back in <paramref name="input"/> into <paramref name="output"/>.</summary>
    TimeSpan Run(Memory<float> input, Memory<float> output, int batchSize);
}
