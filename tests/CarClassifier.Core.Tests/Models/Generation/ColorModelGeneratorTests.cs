using System.Security.Cryptography;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Models;
using CarClassifier.ModelGeneration;
using Microsoft.ML.OnnxRuntime;

namespace CarClassifier.Core.Tests.Models.Generation;

public sealed class ColorModelGeneratorTests
{
    private const int Size = 224;
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    [Fact]
    public void Build_PureColourBatch_ClassifiesEveryColourConfidently()
    {
        // Arrange
        using var session = new InferenceSession(ColorModelGenerator.Build(new PreprocessRecipe()).ToByteArray());
        var colours = ColorModelGenerator.Classes.Select(c => (c.Red, c.Green, c.Blue)).ToArray();
        var batch = MakeBatch(colours);

        // Act
        var (shape, logits) = OrtTestRunner.Run(session, ColorModelGenerator.InputName, batch, [colours.Length, 3, Size, Size]);

        // Assert
        Assert.Equal([colours.Length, 8L], shape);
        for (var i = 0; i < colours.Length; i++)
        {
            var probabilities = Softmax(logits.AsSpan(i * 8, 8));
            Assert.Equal(i, ArgMax(probabilities));
            Assert.True(probabilities[i] > 0.9, $"{ColorModelGenerator.Classes[i].Name} got p={probabilities[i]}");
        }
    }

    [Fact]
    public void Build_OffColoursInDynamicBatchOfThree_PicksNearestPrototype()
    {
        // Arrange
        using var session = new InferenceSession(ColorModelGenerator.Build(new PreprocessRecipe()).ToByteArray());
        (byte, byte, byte)[] colours = [(200, 30, 40), (20, 40, 190), (240, 230, 200)];
        string[] expected = ["red", "blue", "white"];

        // Act
        var (shape, logits) = OrtTestRunner.Run(session, ColorModelGenerator.InputName, MakeBatch(colours), [3, 3, Size, Size]);

        // Assert
        Assert.Equal([3L, 8L], shape);
        for (var i = 0; i < colours.Length; i++)
        {
            Assert.Equal(expected[i], ColorModelGenerator.Classes[ArgMax(logits.AsSpan(i * 8, 8))].Name);
        }
    }

    [Fact]
    public void Build_BgrRecipe_StillClassifiesBgrTensors()
    {
        // Arrange: the model must follow the recipe's channel order, not assume RGB.
        var recipe = new PreprocessRecipe { ChannelOrder = ChannelOrder.Bgr, Mean = [0.406f, 0.456f, 0.485f], Std = [0.225f, 0.224f, 0.229f] };
        using var session = new InferenceSession(ColorModelGenerator.Build(recipe).ToByteArray());
        var plane = Size * Size;
        var bgr = new float[3 * plane];
        byte[] pureRedAsBgr = [0, 0, 255];
        for (var c = 0; c < 3; c++)
        {
            Array.Fill(bgr, ((pureRedAsBgr[c] / 255f) - recipe.Mean[c]) / recipe.Std[c], c * plane, plane);
        }

        // Act
        var (_, logits) = OrtTestRunner.Run(session, ColorModelGenerator.InputName, bgr, [1, 3, Size, Size]);

        // Assert
        Assert.Equal("red", ColorModelGenerator.Classes[ArgMax(logits)].Name);
    }

    [Fact]
    public async Task Build_Twice_GivesIdenticalBytesMatchingManifest()
    {
        // Arrange
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("color-tiny"));

        // Act
        var first = GeneratedModelFactory.Create(manifest).ToByteArray();
        var second = GeneratedModelFactory.Create(manifest).ToByteArray();

        // Assert
        Assert.Equal(first, second);
        Assert.Equal(manifest.Sha256, Convert.ToHexStringLower(SHA256.HashData(first)));
        Assert.Equal(manifest.SizeBytes, first.LongLength);
    }

    [Fact]
    public async Task Build_LoadedInOnnxRuntime_MatchesManifestContract()
    {
        // Arrange
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("color-tiny"));

        // Act
        using var session = new InferenceSession(GeneratedModelFactory.Create(manifest).ToByteArray());

        // Assert
        var input = Assert.Single(session.InputMetadata);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal(manifest.Input.Name, input.Key);
        Assert.Equal(manifest.Input.Shape, input.Value.Dimensions.Select(d => (long)d));
        Assert.Equal(manifest.Output.Name, output.Key);
        Assert.Equal(manifest.Output.Shape, output.Value.Dimensions.Select(d => (long)d));
    }

    private static float[] MakeBatch(IReadOnlyList<(byte R, byte G, byte B)> colours)
    {
        var plane = Size * Size;
        var data = new float[colours.Count * 3 * plane];
        for (var n = 0; n < colours.Count; n++)
        {
            byte[] rgb = [colours[n].R, colours[n].G, colours[n].B];
            for (var c = 0; c < 3; c++)
            {
                Array.Fill(data, ((rgb[c] / 255f) - Mean[c]) / Std[c], ((n * 3) + c) * plane, plane);
            }
        }

        return data;
    }

    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        var max = double.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        var exp = new double[logits.Length];
        for (var i = 0; i < logits.Length; i++) exp[i] = Math.Exp(logits[i] - max);
        var sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static int ArgMax(double[] values) => Array.IndexOf(values, values.Max());
}
