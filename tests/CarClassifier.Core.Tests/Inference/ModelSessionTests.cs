using CarClassifier.Core.Batching;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Models;
using CarClassifier.Core.Tests.Imaging;
using CarClassifier.Core.Tests.Models;
using CarClassifier.ModelGeneration;
using Microsoft.Extensions.Logging;
using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.Core.Tests.Inference;

public sealed class ModelSessionTests
{
    /// <summary>Keeps every log entry so a test can count warnings.</summary>
    private sealed class RecordingLogger : ILogger<ModelSession>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }

    [Fact]
    public async Task Constructor_CudaRequestedWithoutCuda_RunsOnCpuAfterOneWarning()
    {
        // Arrange: this build carries the CPU ONNX Runtime package, as CI and laptops do.
        using var folder = new TempFolder();
        var model = await new ModelStore(folder.Path, generator: OnnxWeightsGenerator.Instance).LoadAsync(RepoPaths.Manifest("color-tiny"));
        var logger = new RecordingLogger();
        var options = new ClassifierOptions { ExecutionProvider = ExecutionProvider.Cuda };

        // Act
        using var session = new ModelSession(model.ModelPath, model.Manifest, options, logger);
        using var input = session.AllocateInput(session.ImageLength);
        new SkiaDecoder().DecodeInto(
            GeneratedImages.Jpeg(64, 48, new Rgb24(250, 5, 5)), model.Manifest.Preprocess, ImageLimits.Default, input.Memory.Span);
        var scores = new float[session.ClassCount];
        session.Run(input.Memory, scores, 1);

        // Assert: one line says what happened, the input buffer is the ordinary one, and it still classifies.
        Assert.Equal(ExecutionProvider.Cpu, session.ExecutionProvider);
        var warning = Assert.Single(logger.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Contains("falling back to CPU", warning.Message, StringComparison.Ordinal);
        Assert.IsType<PinnedArrayMemory>(input);
        Assert.Equal("red", model.Labels[Array.IndexOf(scores, scores.Max())]);
    }

    [Fact]
    public async Task Constructor_CudaRequiredWithoutCuda_FailsNamingTheOptionAndTheDriver()
    {
        // Arrange: the CPU ONNX Runtime package has no CUDA provider, which is how a GPU replica without a working
        // driver or CUDA libraries looks to ONNX Runtime.
        using var folder = new TempFolder();
        var model = await new ModelStore(folder.Path, generator: OnnxWeightsGenerator.Instance).LoadAsync(RepoPaths.Manifest("color-tiny"));
        var options = new ClassifierOptions { ExecutionProvider = ExecutionProvider.Cuda, RequireCuda = true };

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => new ModelSession(model.ModelPath, model.Manifest, options, new RecordingLogger()));

        // Assert: the message says what to check and how to opt out.
        Assert.Contains("Classifier:RequireCuda", ex.Message, StringComparison.Ordinal);
        Assert.Contains("r580", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NVIDIA kernel driver", ex.Message, StringComparison.Ordinal); // the driver diagnosis (CudaDriverReport)
        Assert.NotNull(ex.InnerException);
    }
}
