using CarClassifier.Core.Configuration;
using CarClassifier.Core.Models;
using CarClassifier.Training.Backbone;
using CarClassifier.Training.Export;
using CarClassifier.Training.Features;
using CarClassifier.Training.Head;

namespace CarClassifier.Training.Tests.Export;

[Collection(SampleFeaturesCollection.Name)]
public sealed class HeadExporterTests(SampleFeatures samples)
{
    [Fact]
    public async Task Export_TrainedHead_OnnxGivesTheInProcessProbabilitiesWithinOneInAHundredThousand()
    {
        // Arrange: a head fitted on the demo set's features.
        var features = samples.Features;
        var fit = HeadFitter.Fit(features.Original, features.Flipped, features.Labels, samples.Dataset.Classes.Count, new HeadSettings());
        var path = Path.Combine(Path.GetTempPath(), $"exported-{Guid.NewGuid():N}.onnx");
        var classes = samples.Dataset.Classes.Count;
        var manifest = samples.Backbone.BaseManifest with
        {
            Output = new TensorSpec { Name = HeadExporter.OutputName, Shape = [-1, classes], Kind = OutputKind.Probabilities },
        };

        try
        {
            // Act: one self-contained graph, run by ONNX Runtime on the same images, in an odd batch size.
            await File.WriteAllBytesAsync(path, OnnxFiles.ToBytes(HeadExporter.Export(samples.Backbone, fit.Head, "test")));
            using var runner = new ImageBatchRunner(path, manifest, new ClassifierOptions(), batchSize: 7);
            var result = await runner.RunAsync([.. features.Images.Select(i => i.Path)], flips: false, progress: null);

            // Assert
            double maxDiff = 0;
            for (int i = 0; i < features.Images.Count; i++)
            {
                var expected = fit.Head.Predict(features.Original[i]);
                var actual = result.Outputs[i]!;
                Assert.Equal(classes, actual.Length);
                for (int k = 0; k < classes; k++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[k] - actual[k]));
            }

            Assert.True(maxDiff <= 1e-5, $"max abs difference {maxDiff:E2} between the exported graph and the in-process head");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Export_Graph_HasADynamicBatchAndOneProbabilitiesOutput()
    {
        // Arrange
        var features = samples.Features;
        var head = HeadFitter.FitOne(features.Original, features.Flipped, features.Labels, [.. Enumerable.Range(0, features.Images.Count)], 6, 0.01, new HeadSettings());

        // Act
        var model = HeadExporter.Export(samples.Backbone, head, "test");

        // Assert
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("N", input.Type.TensorType.Shape.Dim[0].DimParam);
        var output = Assert.Single(model.Graph.Output);
        Assert.Equal(HeadExporter.OutputName, output.Name);
        Assert.Equal("N", output.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(6, output.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal("Softmax", model.Graph.Node[^1].OpType);
    }
}
