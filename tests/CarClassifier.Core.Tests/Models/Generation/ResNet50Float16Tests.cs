using System.Security.Cryptography;
using CarClassifier.Core.Models;
using CarClassifier.ModelGeneration;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace CarClassifier.Core.Tests.Models.Generation;

// One test: it generates both variants (~150 MB) and runs each once on the CPU.
public sealed class ResNet50Float16Tests(ITestOutputHelper output)
{
    [Fact]
    public async Task Build_Float16_MatchesManifestAndAgreesWithFloat32()
    {
        // Arrange
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("resnet50-generated-fp16"));
        var random = new Random(7);
        var batch = new float[3 * 224 * 224];
        for (var i = 0; i < batch.Length; i++) batch[i] = (float)((random.NextDouble() * 4) - 2);

        // Act
        var half = GeneratedModelFactory.Create(manifest).ToByteArray();
        using var halfSession = new InferenceSession(half);
        using var fullSession = new InferenceSession(ResNet50Generator.Build(manifest.Generator!.Seed).ToByteArray());
        var (shape, halfLogits) = OrtTestRunner.Run(halfSession, ResNet50Generator.InputName, batch, [1, 3, 224, 224]);
        var (_, fullLogits) = OrtTestRunner.Run(fullSession, ResNet50Generator.InputName, batch, [1, 3, 224, 224]);

        // Assert: the manifest pins the bytes; float32 in and out; same top-1 and close logits as the float32 model.
        Assert.Equal(manifest.Sha256, Convert.ToHexStringLower(SHA256.HashData(half)));
        Assert.Equal(manifest.SizeBytes, half.LongLength);
        Assert.Equal([1L, 1000L], shape);
        var largest = 0f;
        var range = fullLogits.Max() - fullLogits.Min();
        for (var i = 0; i < 1000; i++) largest = MathF.Max(largest, MathF.Abs(halfLogits[i] - fullLogits[i]));
        output.WriteLine($"fp16 vs fp32: largest logit difference {largest:F4} over a logit range of {range:F4}");
        Assert.Equal(Array.IndexOf(fullLogits, fullLogits.Max()), Array.IndexOf(halfLogits, halfLogits.Max()));
        Assert.True(largest < 0.05f * range, $"fp16 logits differ by {largest} (range {range})");
    }
}
