using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace CarClassifier.Core.Inference;

/// <summary>
/// Page-locked ("CudaPinned") host memory from ONNX Runtime's CUDA provider, as a <see cref="Memory{T}"/>. The CUDA
/// provider copies each batch from here to the GPU by DMA; from ordinary (pageable) memory the driver first stages it
/// through a bounce buffer, which for a batch of 256 ResNet-50 inputs (154 MB) costs about as long as the model itself.
/// </summary>
internal sealed unsafe class OrtPinnedMemory : MemoryManager<float>
{
    // The allocation frees itself through its allocator, so the allocator (and the memory info it was made from) must
    // outlive it: all three are owned here and released in reverse order.
    private readonly OrtMemoryInfo _info;
    private readonly OrtAllocator _allocator;
    private readonly OrtMemoryAllocation _allocation;
    private readonly int _length;

    private OrtPinnedMemory(OrtMemoryInfo info, OrtAllocator allocator, OrtMemoryAllocation allocation, int length)
    {
        _info = info;
        _allocator = allocator;
        _allocation = allocation;
        _length = length;
    }

    /// <summary>Allocates <paramref name="length"/> floats of CUDA pinned host memory through <paramref name="session"/>'s provider.</summary>
    /// <exception cref="OnnxRuntimeException">The session has no CUDA pinned allocator (e.g. it runs on the CPU provider).</exception>
    public static OrtPinnedMemory Allocate(InferenceSession session, int deviceId, int length)
    {
        var info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.CpuOutput);
        OrtAllocator? allocator = null;
        try
        {
            allocator = new OrtAllocator(session, info);
            var allocation = allocator.Allocate(checked((uint)length * sizeof(float)));
            return new OrtPinnedMemory(info, allocator, allocation, length);
        }
        catch
        {
            allocator?.Dispose();
            info.Dispose();
            throw;
        }
    }

    public override Span<float> GetSpan() => new((void*)_allocation.DangerousGetHandle(), _length);

    // Page-locked memory never moves: "pinning" it is just handing out the pointer.
    public override MemoryHandle Pin(int elementIndex = 0) => new((float*)_allocation.DangerousGetHandle() + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _allocation.Dispose();
            _allocator.Dispose();
            _info.Dispose();
        }
    }
}
