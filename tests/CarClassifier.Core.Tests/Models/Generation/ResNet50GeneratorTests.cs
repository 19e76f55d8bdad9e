using System.Diagnostics;
using System.Security.Cryptography;
using CarClassifier.Core.Models;
using CarClassifier.ModelGeneration;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace CarClassifier.Core.Tests.Models.Generation;

// Kept to two tests: each generates ~100 MB and runs ResNet-50 on the CPU.
public sealed class ResNet50GeneratorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Build_Twice_GivesIdenticalBytesMatchingManifest()
    {
        // Arrange
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("resnet50-generated"));

        // Act
        var stopwatch = Stopwatch.StartNew();
        var model = GeneratedModelFactory.Create(manifest);
        var first = model.ToByteArray();
        var elapsed = stopwatch.Elapsed;
        var second = GeneratedModelFactory.Create(manifest).ToByteArray();

        // Assert
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(first));
        output.WriteLine($"Generated {first.Length} bytes (sha256 {sha256}), {model.Graph.ParameterCount} floats in {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(first.AsSpan().SequenceEqual(second), "two generations differ");
        Assert.Equal(manifest.Sha256, sha256);
        Assert.Equal(manifest.SizeBytes, first.LongLength);
        Assert.InRange(model.Graph.ParameterCount, 25_500_000, 25_700_000);
    }

    [Fact]
    public void Build_BatchOfTwoInOnnxRuntime_GivesHealthyInputDependentLogits()
    {
        // Arrange
        using var session = new InferenceSession(ResNet50Generator.Build(seed: 1).ToByteArray());
        var random = new Random(42);
        var batch = new float[2 * 3 * 224 * 224];
        for (var i = 0; i < batch.Length; i++)
        {
            // Roughly what normalised photos look like: zero mean, unit-ish spread.
            batch[i] = (float)((random.NextDouble() * 4) - 2);
        }

        // Act
        var (shape, logits) = OrtTestRunner.Run(session, ResNet50Generator.InputName, batch, [2, 3, 224, 224]);

        // Assert
        Assert.Equal([2L, 1000L], shape);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        var first = logits.AsSpan(0, 1000);
        var second = logits.AsSpan(1000, 1000);
        output.WriteLine($"logits[0]: min {Min(first):F4} max {Max(first):F4}; logits[1]: min {Min(second):F4} max {Max(second):F4}");
        Assert.True(Max(first) - Min(first) > 1e-3f, "logits are all equal");
        Assert.True(MathF.Abs(Max(first)) < 1e4f, "logits exploded");
        var largestDifference = 0f;
        for (var i = 0; i < 1000; i++) largestDifference = MathF.Max(largestDifference, MathF.Abs(first[i] - second[i]));
        Assert.True(largestDifference > 1e-4f, "different inputs gave the same logits");
        var inputName = Assert.Single(session.InputMetadata).Key;
        Assert.Equal(ResNet50Generator.InputName, inputName);
        Assert.Equal(new[] { -1, 3, 224, 224 }, session.InputMetadata[inputName].Dimensions);
        Assert.Equal(ResNet50Generator.OutputName, Assert.Single(session.OutputMetadata).Key);
    }

    private static float Min(ReadOnlySpan<float> values)
    {
        var min = float.PositiveInfinity;
        foreach (var v in values) min = MathF.Min(min, v);
        return min;
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values) max = MathF.Max(max, v);
        return max;
    }
}
