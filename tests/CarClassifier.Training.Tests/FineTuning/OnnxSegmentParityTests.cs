using CarClassifier.Core.Configuration;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Models;
using CarClassifier.Training.Backbone;
using CarClassifier.Training.FineTuning;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace CarClassifier.Training.Tests.FineTuning;

/// <summary>
/// The NuGet ResNet-18's ONNX weights loaded into TorchSharp compute what ONNX Runtime computes from the same graph, on
/// the same tensors: the whole features network (mean image, the stride-2 layers with CNTK's uneven padding, pooling).
/// </summary>
public sealed class OnnxSegmentParityTests
{
    [Fact]
    public async Task ResNet18_in_TorchSharp_matches_OnnxRuntime_on_the_same_tensors()
    {
        var backbone = await new BackboneLoader(new ModelStore(RepoPaths.ModelCache)).LoadAsync(RepoPaths.ResNet18Manifest);
        const int batch = 2;
        var random = new Random(7);
        var input = new float[batch * 3 * 224 * 224];
        for (var i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 255);

        var expected = new float[batch * backbone.Width];
        using (var session = new ModelSession(backbone.FeaturesPath, backbone.FeaturesManifest, new ClassifierOptions(), NullLogger<ModelSession>.Instance))
        {
            session.Run(input, expected, batch);
        }

        using var scope = NewDisposeScope();
        using var segment = new OnnxSegment(backbone.FeaturesModel.Graph, backbone.FeaturesManifest.Input.Name, backbone.FeaturesManifest.Output.Name, trainable: false);
        float[] actual;
        using (no_grad())
        {
            actual = segment.Forward(tensor(input, [batch, 3, 224, 224])).data<float>().ToArray();
        }

        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(scale > 0.1, $"features too small to compare: max {scale}");
        Assert.True(worst <= 1e-4 * scale + 1e-5, $"max |ONNX Runtime - TorchSharp| = {worst} for features up to {scale}");
    }
}
