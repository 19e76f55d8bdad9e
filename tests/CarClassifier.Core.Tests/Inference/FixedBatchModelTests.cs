using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Tests.Models;
using CarClassifier.ModelGeneration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Tests.Inference;

/// <summary>
/// Issue 15, hole 8: a model whose batch dimension is fixed loaded, then failed every batch under load (CheckShape skipped
/// dimension 0). Now a batch of 1 runs one image per Run after one warning, and any other fixed batch refuses to start.
/// </summary>
public sealed class FixedBatchModelTests
{
    [Fact]
    public async Task ManifestWithBatchOne_ClampsMaxBatchSizeToOne_WithOneWarning_AndClassifies()
    {
        // Arrange: the colour model, declared [1,3,224,224] (as a model exported with a fixed batch is).
        using var folder = new TempFolder();
        string manifest = CopyColorManifest(folder, batch: 1);
        var logs = new RecordingLoggerFactory();
        await using var runtime = new ModelRuntime(
            Options.Create(new ClassifierOptions { ModelManifest = manifest, ModelCacheDirectory = folder.Combine("cache"), MaxBatchSize = 16, AllowModelDownload = false }), logs);

        // Act: eight images at once, which the batcher would otherwise group.
        var model = await runtime.GetAsync();
        var images = Enumerable.Range(0, 8).Select(_ => new float[model.Batcher.ImageLength]).ToArray();
        var predictions = await Task.WhenAll(images.Select(i => model.Batcher.ClassifyAsync(i)));

        // Assert
        Assert.Equal(1, model.Batcher.MaxBatchSize);
        Assert.All(predictions, p => Assert.Equal(1, p.BatchSize));
        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("fixed batch dimension", StringComparison.Ordinal));
        Assert.Contains("Classifier:MaxBatchSize 16 is lowered to 1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestWithBatchFour_RefusesToStart_SayingWhy()
    {
        // Arrange
        using var folder = new TempFolder();
        string manifest = CopyColorManifest(folder, batch: 4);
        await using var runtime = new ModelRuntime(
            Options.Create(new ClassifierOptions { ModelManifest = manifest, ModelCacheDirectory = folder.Combine("cache"), AllowModelDownload = false }), new RecordingLoggerFactory());

        // Act
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => runtime.GetAsync());

        // Assert
        Assert.Contains("batch dimension is fixed at 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dynamic", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The colour model rebuilt with its batch dimension fixed at <paramref name="batch"/> (as a model exported without a
    /// dynamic axis is), in the cache the runtime reads, and a manifest naming it by file and sha256.
    /// </summary>
    private static string CopyColorManifest(TempFolder folder, int batch)
    {
        string source = Path.GetDirectoryName(RepoPaths.Manifest("color-tiny"))!;
        var model = ColorModelGenerator.Build(new PreprocessRecipe());
        var input = model.Graph.Inputs[0];
        var output = model.Graph.Outputs[0];
        model.Graph.Inputs[0] = new OnnxValueInfo(input.Name, [batch, .. input.Shape.Skip(1)]);
        model.Graph.Outputs[0] = new OnnxValueInfo(output.Name, [batch, .. output.Shape.Skip(1)]);
        byte[] bytes = model.ToByteArray();
        Directory.CreateDirectory(folder.Combine("cache"));
        File.WriteAllBytes(Path.Combine(folder.Combine("cache"), $"color-batch{batch}.onnx"), bytes);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "manifest.json")))!.AsObject();
        json.Remove("generator");
        json["source"] = new JsonObject { ["url"] = "https://example.invalid/never-downloaded-the-file-is-cached.onnx" };
        json["name"] = $"color-tiny-batch{batch}";
        json["file"] = $"color-batch{batch}.onnx";
        json["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
        json["sizeBytes"] = bytes.Length;
        json["input"]!["shape"]![0] = batch;
        json["output"]!["shape"]![0] = batch;
        File.Copy(Path.Combine(source, "labels.txt"), folder.Combine("labels.txt"));
        string manifest = folder.Combine("manifest.json");
        File.WriteAllText(manifest, json.ToJsonString());
        return manifest;
    }

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new Logger(Entries);

        public void Dispose()
        {
        }

        private sealed class Logger(List<(LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (entries) entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
