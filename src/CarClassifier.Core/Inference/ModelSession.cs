using System.Buffers;
using System.Diagnostics;
using CarClassifier.Core.Batching;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Models;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace CarClassifier.Core.Inference;

/// <summary>
/// The one owner of the ONNX Runtime session. Runs a batch from a caller-owned input buffer into a
/// caller-owned output buffer, so the hot path allocates no tensors: both buffers are wrapped as
/// OrtValues (pinned, not copied). The wrappers are made once per batch size and reused while the caller
/// keeps passing the same buffers (the batcher always does), so a Run allocates no OrtValue either.
/// Not thread-safe for concurrent <see cref="Run"/> calls by design: only the batcher calls it.
/// </summary>
public sealed class ModelSession : IBatchModel, IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _inputShape;
    private readonly long[] _outputShape;
    private readonly Dictionary<int, BoundBuffers> _bound = [];
    private readonly ILogger _logger;
    private readonly int _cudaDeviceId;

    /// <summary>1 when the model (or its manifest) fixes the batch dimension at 1; null when the batch is dynamic.</summary>
    public int? FixedBatchSize { get; private set; }

    public ModelSession(string modelPath, ModelManifest manifest, ClassifierOptions options, ILogger<ModelSession> logger)
        : this(modelPath, manifest, options, logger, configure: null)
    {
    }

    /// <param name="configure">
    /// Changes applied after the production settings; for benchmarks that compare settings, never needed in production.
    /// </param>
    public ModelSession(
        string modelPath, ModelManifest manifest, ClassifierOptions options, ILogger<ModelSession> logger, Action<SessionOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);

        Manifest = manifest;
        _logger = logger;
        _cudaDeviceId = options.CudaDeviceId;
        using var sessionOptions = SessionOptionsFactory.Create(options, logger, out var provider);
        ExecutionProvider = provider;
        configure?.Invoke(sessionOptions);
        try
        {
            _session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex) when (provider == ExecutionProvider.Cuda && ex.Message.Contains("CUDA", StringComparison.Ordinal))
        {
            // The CUDA provider loads its libraries when appended but touches the driver only here (cudaSetDevice): a driver
            // too old for CUDA 13 fails now, and is not the model's fault. Say which driver and why.
            throw new InvalidOperationException(
                $"The CUDA execution provider could not start: {CudaDriverReport.Probe()}. ONNX Runtime said: {ex.Message}", ex);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"ONNX Runtime could not load model '{modelPath}': {ex.Message}", ex);
        }

        CheckContract(manifest);
        _inputNames = [manifest.Input.Name];
        _outputNames = [manifest.Output.Name];
        _inputShape = [0, .. manifest.Input.Shape.Skip(1)];
        _outputShape = [0, .. manifest.Output.Shape.Skip(1)];
        ImageLength = checked((int)manifest.Input.Shape.Skip(1).Aggregate(1L, (a, b) => a * b));
        ClassCount = checked((int)manifest.Output.Shape[1]);
        logger.LogInformation(
            "Loaded model {Model} from {Path} on {Provider}: input {Input} {InputShape}, output {Output} [N,{Classes}]",
            manifest.Identity, modelPath, provider, manifest.Input.Name, string.Join(',', manifest.Input.Shape), manifest.Output.Name, ClassCount);
    }

    public ModelManifest Manifest { get; }

    /// <summary>The provider actually in use (Cuda may have fallen back to Cpu).</summary>
    public ExecutionProvider ExecutionProvider { get; }

    /// <summary>Floats per image in the input tensor.</summary>
    public int ImageLength { get; }

    /// <summary>Number of classes the model outputs.</summary>
    public int ClassCount { get; }

    /// <summary>
    /// Runs <paramref name="batchSize"/> images laid out back to back in <paramref name="input"/> and writes
    /// <c>batchSize * ClassCount</c> scores into <paramref name="output"/>.
    /// </summary>
    /// <returns>Wall time of the Run.</returns>
    public TimeSpan Run(Memory<float> input, Memory<float> output, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (input.Length < batchSize * ImageLength) throw new ArgumentException("Input buffer is too small for the batch.", nameof(input));
        if (output.Length < batchSize * ClassCount) throw new ArgumentException("Output buffer is too small for the batch.", nameof(output));

        var started = Stopwatch.GetTimestamp();
        var bound = Bind(input[..(batchSize * ImageLength)], output[..(batchSize * ClassCount)], batchSize);
        _session.Run(_runOptions, _inputNames, bound.Inputs, _outputNames, bound.Outputs);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Under CUDA: page-locked memory from the provider's CudaPinned allocator (one line says so at Information); if the
    /// provider will not give it, one warning and a pinned array, which works but copies each batch more slowly.
    /// Dispose it before this session.
    /// </remarks>
    public IMemoryOwner<float> AllocateInput(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (ExecutionProvider == ExecutionProvider.Cuda)
        {
            try
            {
                var pinned = OrtPinnedMemory.Allocate(_session, _cudaDeviceId, length);
                _logger.LogInformation("Batch input buffer: {Megabytes:F1} MB of CUDA pinned host memory", length * (double)sizeof(float) / 1e6);
                return pinned;
            }
            catch (OnnxRuntimeException ex)
            {
                _logger.LogWarning("CUDA pinned host memory unavailable ({Reason}); batches are copied to the GPU from pageable memory, more slowly.", ex.Message);
            }
        }

        return new PinnedArrayMemory(length);
    }

    public void Dispose()
    {
        foreach (var bound in _bound.Values) bound.Dispose();
        _bound.Clear();
        _session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>The OrtValues wrapping these exact buffers at this batch size, made on first use and then reused.</summary>
    private BoundBuffers Bind(Memory<float> input, Memory<float> output, int batchSize)
    {
        if (_bound.TryGetValue(batchSize, out var bound))
        {
            if (bound.Input.Equals(input) && bound.Output.Equals(output)) return bound;
            bound.Dispose();
        }

        _inputShape[0] = batchSize;
        _outputShape[0] = batchSize;
        var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, _inputShape);
        try
        {
            var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output, _outputShape);
            bound = new BoundBuffers(input, output, [inputValue], [outputValue]);
        }
        catch
        {
            inputValue.Dispose();
            throw;
        }

        _bound[batchSize] = bound;
        return bound;
    }

    /// <summary>Caller buffers and the OrtValues that pin and wrap them for one batch size.</summary>
    private sealed record BoundBuffers(Memory<float> Input, Memory<float> Output, OrtValue[] Inputs, OrtValue[] Outputs) : IDisposable
    {
        public void Dispose()
        {
            Inputs[0].Dispose();
            Outputs[0].Dispose();
        }
    }

    private void CheckContract(ModelManifest manifest)
    {
        // A manifest that disagrees with its model would otherwise fail on every message; fail at start instead.
        if (!_session.InputMetadata.TryGetValue(manifest.Input.Name, out var input))
        {
            throw new InvalidDataException(
                $"Model has no input named '{manifest.Input.Name}' (it has: {string.Join(", ", _session.InputMetadata.Keys)}). Fix the manifest's input.name.");
        }

        if (!_session.OutputMetadata.TryGetValue(manifest.Output.Name, out var output))
        {
            throw new InvalidDataException(
                $"Model has no output named '{manifest.Output.Name}' (it has: {string.Join(", ", _session.OutputMetadata.Keys)}). Fix the manifest's output.name.");
        }

        CheckShape("input", manifest.Input.Shape, input.Dimensions);
        CheckShape("output", manifest.Output.Shape, output.Dimensions);

        // Dimension 0 is the batch. CheckShape skips it (dynamic is -1 or 0 in ONNX metadata); a fixed batch makes ONNX
        // Runtime reject every batch of another size, so it is checked here, at start, not under load.
        long modelBatch = input.Dimensions.Length > 0 ? input.Dimensions[0] : -1;
        long manifestBatch = manifest.Input.Shape.Count > 0 ? manifest.Input.Shape[0] : -1;
        long fixedBatch = modelBatch > 0 ? modelBatch : manifestBatch;
        if (fixedBatch > 1 || (modelBatch > 0 && manifestBatch > 0 && modelBatch != manifestBatch))
        {
            throw new InvalidDataException(
                $"The model's input batch dimension is fixed at {fixedBatch} (model [{string.Join(',', input.Dimensions)}], manifest [{string.Join(',', manifest.Input.Shape)}]): " +
                "the batcher sends batches of 1 up to Classifier:MaxBatchSize images, so the batch must be dynamic (-1) or 1. Export the model with a dynamic batch axis.");
        }

        FixedBatchSize = fixedBatch == 1 ? 1 : null;
    }

    private static void CheckShape(string what, IReadOnlyList<long> declared, int[] actual)
    {
        if (declared.Count != actual.Length)
        {
            throw new InvalidDataException($"Manifest {what} shape [{string.Join(',', declared)}] has a different rank from the model's [{string.Join(',', actual)}].");
        }

        for (var i = 1; i < actual.Length; i++)
        {
            if (actual[i] > 0 && actual[i] != declared[i])
            {
                throw new InvalidDataException($"Manifest {what} shape [{string.Join(',', declared)}] does not match the model's [{string.Join(',', actual)}].");
            }
        }
    }
}
