using System.Buffers;

namespace CarClassifier.Core.Batching;

/// <summary>
/// A float array on the pinned object heap: it never moves, so ONNX Runtime may keep pointing at it between Runs.
/// The default input buffer of an <see cref="IBatchModel"/>.
/// </summary>
public sealed class PinnedArrayMemory(int length) : IMemoryOwner<float>
{
    private readonly float[] _array = GC.AllocateUninitializedArray<float>(length, pinned: true);

    public Memory<float> Memory => _array;

    public void Dispose()
    {
        // The garbage collector owns the array; nothing to release early.
    }
}
