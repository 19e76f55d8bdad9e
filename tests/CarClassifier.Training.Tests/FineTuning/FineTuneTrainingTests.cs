using CarClassifier.Core.Configuration;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Models;
using CarClassifier.Training.Backbone;
using CarClassifier.Training.Evaluation;
using CarClassifier.Training.FineTuning;
using CarClassifier.Training.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace CarClassifier.Training.Tests.FineTuning;

/// <summary>
/// The default training path end to end on the repository's 72-photo demo set, kept small for CI (two epochs): cached
/// activations, the last stage and a head trained in TorchSharp, the result written into the base graph and served by
/// ONNX Runtime with the same probabilities TorchSharp computes, the same bytes again for the same seed.
/// </summary>
public sealed class FineTuneTrainingTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("finetune-").FullName;
    private readonly List<string> _trainedWeights = [];

    [Fact]
    public async Task Fine_tuning_exports_one_graph_that_OnnxRuntime_serves_with_TorchSharps_probabilities()
    {
        // Arrange
        var epochs = new List<EpochReport>();
        var progress = new SyncProgress(p => { if (p.Epoch is { } e) epochs.Add(e); });
        var request = Request("tuned");

        // Act
        var result = await ModelTrainer.TrainAsync(request, progress);
        _trainedWeights.Add(result.ModelPath);
        var again = await ModelTrainer.TrainAsync(request with { OutFolder = Path.Combine(_temp, "again"), Name = "tuned" });
        _trainedWeights.Add(again.ModelPath);

        // Assert: training ran, reported each epoch, measured a hold-out, stored the photo hashes.
        var tuned = Assert.IsType<FineTuneResult>(result.FineTune);
        Assert.Equal(2, epochs.Count);
        Assert.Equal([1, 2], epochs.Select(e => e.Epoch));
        Assert.InRange(tuned.HoldoutAccuracy, tuned.HoldoutLow, tuned.HoldoutHigh);
        Assert.True(tuned.Temperature is > 0.05 and < 20);
        Assert.Equal(72, result.Provenance.ImageSha256!.Count);
        Assert.Equal(72, tuned.TrainImages + tuned.HoldoutImages);
        Assert.Equal(72, again.Extraction.FromCache);

        // Same seed, same data: the same weights, byte for byte.
        Assert.Equal(result.ModelPath, again.ModelPath);

        // The served graph: ONNX Runtime on the exported file vs TorchSharp on the trained weights, same tensors.
        var local = await new ModelStore(RepoPaths.ModelCache).LoadAsync(result.ManifestPath, new ModelEnsureOptions { AllowDownload = false, AllowGenerate = false });
        Assert.Equal(OutputKind.Probabilities, local.Manifest.Output.Kind);
        const int batch = 2;
        var random = new Random(3);
        var input = new float[batch * 3 * 224 * 224];
        for (var i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 255);
        var served = new float[batch * 6];
        using (var session = new ModelSession(local.ModelPath, local.Manifest, new ClassifierOptions(), NullLogger<ModelSession>.Instance))
        {
            session.Run(input, served, batch);
        }

        var backbone = await new BackboneLoader(new ModelStore(RepoPaths.ModelCache)).LoadAsync(RepoPaths.ResNet18Manifest);
        using var scope = NewDisposeScope();
        using var network = new OnnxSegment(backbone.FeaturesModel.Graph, "data", backbone.FeaturesManifest.Output.Name, trainable: true);
        network.Restore(tuned.StageWeights);
        float[] expected;
        using (no_grad())
        {
            var logits = nn.functional.linear(network.Forward(tensor(input, [batch, 3, 224, 224])), tensor(tuned.HeadWeights, [6, tuned.Width]), tensor(tuned.HeadBias, [6]));
            expected = nn.functional.softmax(logits / tuned.Temperature, 1).data<float>().ToArray();
        }

        var worst = expected.Zip(served, (e, s) => Math.Abs(e - s)).Max();
        Assert.True(worst <= 1e-4, $"max |p(TorchSharp) - p(ONNX Runtime)| = {worst}");

        // Evaluating on the training photos is flagged, in the report and on the HTML page.
        var report = await Evaluator.EvaluateAsync(new EvaluateRequest { ManifestPath = result.ManifestPath, DataFolder = RepoPaths.SampleVehicles, ModelCacheDirectory = RepoPaths.ModelCache });
        Assert.Equal(72, report.SeenInTraining);
        Assert.Contains(report.Warnings, w => w.StartsWith("72 of 72 photos were in this model's training data", StringComparison.Ordinal));
        Assert.Contains("id=\"warnings\"", EvaluationPage.Render(report), StringComparison.Ordinal);

        // Ctrl+C after the first epoch: training stops, the best epoch so far is still written whole.
        using var cancel = new CancellationTokenSource();
        var interrupted = await ModelTrainer.TrainAsync(
            request with { OutFolder = Path.Combine(_temp, "interrupted"), FineTune = request.FineTune! with { Epochs = 5, Patience = 5 } },
            new SyncProgress(p => { if (p.Epoch is { Epoch: 1 }) cancel.Cancel(); }),
            cancel.Token);
        _trainedWeights.Add(interrupted.ModelPath);
        Assert.Equal("interrupted (Ctrl+C)", interrupted.FineTune!.StoppedBecause);
        Assert.Equal(1, interrupted.FineTune.EpochsRun);
        Assert.True(File.Exists(interrupted.ManifestPath));
        Assert.True(File.Exists(interrupted.ModelPath));

        // The trained stage really changed: its weights are not the base's any more.
        var (name, values) = tuned.StageWeights.First();
        Assert.NotEqual(GraphEdits.ReadFloats(GraphEdits.Initializer(backbone.FeaturesModel.Graph, name)!), values);
    }

    public void Dispose()
    {
        foreach (var path in _trainedWeights.Distinct()) File.Delete(path);
        Directory.Delete(_temp, recursive: true);
    }

    private TrainRequest Request(string name) => new()
    {
        DataFolder = RepoPaths.SampleVehicles,
        BaseManifestPath = RepoPaths.ResNet18Manifest,
        OutFolder = Path.Combine(_temp, name),
        ModelCacheDirectory = RepoPaths.ModelCache,
        FeatureCacheDirectory = Path.Combine(_temp, "feature-cache"),
        FineTune = new FineTuneSettings { Epochs = 2, Patience = 2 },
    };

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
