using CarClassifier.Core.Configuration;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Models;
using CarClassifier.ModelGeneration;
using CarClassifier.Training.Backbone;
using CarClassifier.Training.FineTuning;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace CarClassifier.Training.Tests.FineTuning;

/// <summary>
/// The fine-tuning path is not ResNet-18 specific: on the real ResNet-50 architecture (seeded weights, the design card's
/// model) it finds the last stage, runs the network in TorchSharp as ONNX Runtime does, trains the last stage on
/// activations and writes the result back into a graph ONNX Runtime loads.
/// </summary>
public sealed class ResNet50MechanicsTests
{
    [Fact]
    public async Task Generated_ResNet50_is_cut_at_layer4_matches_OnnxRuntime_and_trains_into_a_loadable_graph()
    {
        var cache = Directory.CreateTempSubdirectory("finetune-r50-").FullName;
        try
        {
            var backbone = await new BackboneLoader(new ModelStore(cache, generator: OnnxWeightsGenerator.Instance)).LoadAsync(RepoPaths.Manifest("resnet50-generated"));
            var graph = backbone.FeaturesModel.Graph;
            var features = backbone.FeaturesManifest.Output.Name;

            // Where training starts: layer4's input, 1024 channels at 14 x 14 for 224 x 224.
            var cut = StemCut.Find(graph);
            var shape = StemCut.ActivationShape(backbone, cut);
            Assert.Equal([1024L, 14, 14], shape);

            // Parity on one image.
            var random = new Random(5);
            var input = new float[3 * 224 * 224];
            for (var i = 0; i < input.Length; i++) input[i] = (float)((random.NextDouble() * 4) - 2);
            var expected = new float[2048];
            using (var session = new ModelSession(backbone.FeaturesPath, backbone.FeaturesManifest, new ClassifierOptions(), NullLogger<ModelSession>.Instance))
            {
                session.Run(input, expected, 1);
            }

            float[] actual;
            using (var scope = NewDisposeScope())
            using (var network = new OnnxSegment(graph, backbone.FeaturesManifest.Input.Name, features, trainable: false))
            using (no_grad())
            {
                actual = network.Forward(tensor(input, [1, 3, 224, 224])).data<float>().ToArray();
            }

            var scale = expected.Max(Math.Abs);
            Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() <= (1e-4 * scale) + 1e-5);

            // One epoch on six synthetic activation maps of two classes, then the weights go back into the graph.
            const int perSample = 1024 * 14 * 14;
            var rows = Enumerable.Range(0, 6).Select(i => Enumerable.Range(0, perSample).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
            var result = FineTuner.Train(graph, cut, features, shape, rows, rows, [0, 0, 0, 1, 1, 1], 2,
                new FineTuneSettings { Epochs = 1, BatchSize = 2, ValidationFraction = 0.34 }, null, CancellationToken.None);
            Assert.Equal(2048, result.Width);
            Assert.Contains(result.StageWeights.Keys, k => GraphEdits.Initializer(graph, k) is not null);
            var exported = StemCut.WithWeights(backbone.FeaturesModel, result.StageWeights);
            var path = Path.Combine(cache, "tuned.onnx");
            await File.WriteAllBytesAsync(path, OnnxFiles.ToBytes(exported));
            var tuned = new float[2048];
            using (var session = new ModelSession(path, backbone.FeaturesManifest, new ClassifierOptions(), NullLogger<ModelSession>.Instance))
            {
                session.Run(input, tuned, 1);
            }

            Assert.NotEqual(expected, tuned);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
