using CarClassifier.Core.Models;
using CarClassifier.Training.Data;
using CarClassifier.Training.Pipeline;

namespace CarClassifier.Training.Tests.Pipeline;

public sealed class ModelTrainerTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("trainer-").FullName;
    private readonly List<string> _trainedWeights = [];

    [Fact]
    public async Task TrainAsync_DemoSet_WritesAServableManifestWithProvenance_AndRetrainingReadsEveryFeatureFromTheCache()
    {
        // Arrange
        var request = Request("vehicles");

        // Act
        var first = await ModelTrainer.TrainAsync(request);
        _trainedWeights.Add(first.ModelPath);
        var second = await ModelTrainer.TrainAsync(request with { Head = request.Head with { Seed = 7 } });
        _trainedWeights.Add(second.ModelPath);

        // Assert: the manifest loads through the serving ModelStore, weights verified by sha256.
        var local = await new ModelStore(RepoPaths.ModelCache).LoadAsync(first.ManifestPath, new ModelEnsureOptions { AllowDownload = false, AllowGenerate = false });
        Assert.Equal(["bike", "car", "juggernaut", "minibus", "pickup", "truck"], local.Labels);
        Assert.Equal("vehicles", local.Manifest.Name);
        Assert.Equal(OutputKind.Probabilities, local.Manifest.Output.Kind);
        Assert.Equal("data", local.Manifest.Input.Name);
        Assert.Equal(224, local.Manifest.Preprocess.ResizeShorterSide);

        var provenance = local.Manifest.Provenance!.Value;
        Assert.StartsWith("resnet18-imagenet-features@0.23.1#", provenance.GetProperty("base").GetProperty("identity").GetString(), StringComparison.Ordinal);
        Assert.Equal(72, provenance.GetProperty("images").GetInt32());
        Assert.Equal(12, provenance.GetProperty("classes")[0].GetProperty("images").GetInt32());
        Assert.Equal(64, provenance.GetProperty("dataFingerprint").GetString()!.Length);
        Assert.InRange(provenance.GetProperty("validation").GetProperty("accuracy").GetDouble(), 0.5, 1.0);
        Assert.True(provenance.GetProperty("settings").GetProperty("flips").GetBoolean());

        Assert.Equal(72, first.Extraction.Extracted);
        Assert.Equal(0, first.Extraction.FromCache);
        Assert.Equal(72, second.Extraction.FromCache);
        Assert.Equal(0, second.Extraction.Extracted);
        Assert.Equal(first.Provenance.DataFingerprint, second.Provenance.DataFingerprint);
    }

    [Fact]
    public async Task TrainAsync_CancelledWhileExtracting_LeavesNoManifestAndNoPartialFiles()
    {
        // Arrange
        var request = Request("cancelled");
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Stage == TrainingStage.Extracting && p.Images is { Done: > 0 }) cancel.Cancel();
        });

        // Act
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ModelTrainer.TrainAsync(request, progress, cancel.Token));

        // Assert
        Assert.False(Directory.Exists(request.OutFolder));
        Assert.Empty(Directory.EnumerateFiles(_temp, "*.partial", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(RepoPaths.ModelCache, "*.partial", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public async Task TrainAsync_BadData_FailsBeforeLoadingTheBaseModel()
    {
        // Arrange: one class only, and a base manifest path that does not exist (it must never be reached).
        var data = Path.Combine(_temp, "one-class");
        Directory.CreateDirectory(Path.Combine(data, "car"));
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SampleVehicles, "car")).Take(3)) File.Copy(file, Path.Combine(data, "car", Path.GetFileName(file)));
        var request = Request("bad") with { DataFolder = data, BaseManifestPath = Path.Combine(_temp, "missing", "manifest.json") };

        // Act
        var ex = await Assert.ThrowsAsync<DatasetException>(() => ModelTrainer.TrainAsync(request));

        // Assert
        Assert.Contains("only one class", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainAsync_OutIsAFile_IsRefused()
    {
        var file = Path.Combine(_temp, "a-file");
        await File.WriteAllTextAsync(file, "x");
        var ex = await Assert.ThrowsAsync<DatasetException>(() => ModelTrainer.TrainAsync(Request("x") with { OutFolder = file }));
        Assert.Contains("is a file", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        // Trained weights land in the shared model cache (next to the prepared base); do not let test runs pile them up.
        foreach (var path in _trainedWeights) File.Delete(path);
        Directory.Delete(_temp, recursive: true);
    }

    private TrainRequest Request(string name) => new()
    {
        DataFolder = RepoPaths.SampleVehicles,
        BaseManifestPath = RepoPaths.ResNet18Manifest,
        OutFolder = Path.Combine(_temp, name),
        ModelCacheDirectory = RepoPaths.ModelCache,
        FeatureCacheDirectory = Path.Combine(_temp, "feature-cache"),
    };

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
