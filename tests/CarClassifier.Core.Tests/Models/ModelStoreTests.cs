using System.Net;
using System.Security.Cryptography;
using CarClassifier.Core.Models;
using CarClassifier.ModelGeneration;

namespace CarClassifier.Core.Tests.Models;

public sealed class ModelStoreTests : IDisposable
{
    private readonly TempFolder _cache = new();
    private readonly TempFolder _manifests = new();

    public void Dispose()
    {
        _cache.Dispose();
        _manifests.Dispose();
    }

    [Fact]
    public async Task EnsureModelAsync_GeneratedModelAbsent_GeneratesVerifiedFile()
    {
        // Arrange
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("color-tiny"));
        var stages = new List<ModelProgressStage>();

        // Act
        var path = await store.EnsureModelAsync(RepoPaths.Manifest("color-tiny"), progress: new SyncProgress(p => stages.Add(p.Stage)));

        // Assert
        Assert.Equal(_cache.Combine(manifest.File), path);
        Assert.Equal(manifest.Sha256, await ModelStore.ComputeSha256Async(path));
        Assert.Contains(ModelProgressStage.Generating, stages);
        Assert.Equal(ModelProgressStage.Ready, stages[^1]);
        Assert.Single(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task EnsureModelAsync_GeneratedModelInHostWithoutGenerator_SaysThisHostCannotGenerate()
    {
        // Arrange: the Functions app registers no generator (CarClassifier.ModelGeneration is tooling).
        var store = new ModelStore(_cache.Path);

        // Act
        var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => store.EnsureModelAsync(RepoPaths.Manifest("color-tiny")));

        // Assert
        Assert.Contains("this host cannot generate weights", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task EnsureModelAsync_LeftoverPartialFiles_RemovesOnlyStaleOnes()
    {
        // Arrange: what a download killed yesterday and one running right now in another host would leave.
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("color-tiny"));
        var stale = _cache.Combine($"{manifest.File}.{Guid.NewGuid():N}.partial");
        var fresh = _cache.Combine($"{manifest.File}.{Guid.NewGuid():N}.partial");
        await File.WriteAllTextAsync(stale, "half a model");
        await File.WriteAllTextAsync(fresh, "a model in progress");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-1));

        // Act
        await store.EnsureModelAsync(RepoPaths.Manifest("color-tiny"));

        // Assert
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public async Task EnsureModelAsync_FilePresentAndValid_ReturnsItWithoutRegenerating()
    {
        // Arrange
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);
        var path = await store.EnsureModelAsync(RepoPaths.Manifest("color-tiny"));
        var written = File.GetLastWriteTimeUtc(path);

        // Act
        var again = await store.EnsureModelAsync(RepoPaths.Manifest("color-tiny"), new ModelEnsureOptions { AllowGenerate = false });

        // Assert
        Assert.Equal(path, again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(again));
    }

    [Fact]
    public async Task EnsureModelAsync_CachedFileCorrupted_ThrowsModelIntegrityException()
    {
        // Arrange
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("color-tiny"));
        var path = await store.EnsureModelAsync(RepoPaths.Manifest("color-tiny"));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        var corruptSha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        // Act
        var ex = await Assert.ThrowsAsync<ModelIntegrityException>(() => store.EnsureModelAsync(RepoPaths.Manifest("color-tiny")));

        // Assert
        Assert.Equal(path, ex.Path);
        Assert.Equal(manifest.Sha256, ex.ExpectedSha256);
        Assert.Equal(corruptSha, ex.ActualSha256);
        Assert.Contains(manifest.Sha256, ex.Message, StringComparison.Ordinal);
        Assert.Contains(corruptSha, ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task EnsureModelAsync_CorruptedAndReplaceAllowed_RegeneratesFile()
    {
        // Arrange
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("color-tiny"));
        var path = await store.EnsureModelAsync(RepoPaths.Manifest("color-tiny"));
        await File.WriteAllTextAsync(path, "not a model");

        // Act
        await store.EnsureModelAsync(RepoPaths.Manifest("color-tiny"), new ModelEnsureOptions { ReplaceCorruptFile = true });

        // Assert
        Assert.Equal(manifest.Sha256, await ModelStore.ComputeSha256Async(path));
    }

    [Fact]
    public async Task EnsureModelAsync_GeneratorDisagreesWithManifestSha_ThrowsAndWritesNothing()
    {
        // Arrange
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);
        var manifest = await ModelManifest.LoadAsync(RepoPaths.Manifest("color-tiny"));
        var stale = manifest with { Sha256 = new string('a', 64) };

        // Act
        var ex = await Assert.ThrowsAsync<ModelIntegrityException>(() => store.EnsureModelAsync(stale));

        // Assert
        Assert.Equal(manifest.Sha256, ex.ActualSha256);
        Assert.Contains("update the manifest", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task EnsureModelAsync_DownloadUnreachable_ThrowsModelUnavailableWithHelp()
    {
        // Arrange: port 9 (discard) on loopback refuses connections at once.
        var manifestPath = await WriteDownloadManifestAsync(new Uri("http://127.0.0.1:9/x"));
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);
        var expectedPath = _cache.Combine("resnet50-v1-12.onnx");

        // Act
        var ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => store.EnsureModelAsync(manifestPath));

        // Assert
        Assert.Equal(expectedPath, ex.Path);
        Assert.Contains(expectedPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:9/x", ex.Message, StringComparison.Ordinal);
        Assert.Contains("resnet50-generated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ab65bdc02c5b3123eb3cdf6dac01742438517d8635d4f233913b2be1c70db3b6", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task EnsureModelAsync_DownloadDisabled_ThrowsModelUnavailable()
    {
        // Arrange
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);

        // Act
        var ex = await Assert.ThrowsAsync<ModelUnavailableException>(
            () => store.EnsureModelAsync(RepoPaths.Manifest("resnet50-v1-12"), new ModelEnsureOptions { AllowDownload = false }));

        // Assert
        Assert.Contains("downloading is disabled", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_cache.Combine("resnet50-v1-12.onnx"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureModelAsync_DownloadMatchesSha_StoresFileAndReportsProgress()
    {
        // Arrange
        var payload = new byte[3_000_000];
        new Random(7).NextBytes(payload);
        var sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        var manifestPath = await WriteDownloadManifestAsync(new Uri("http://models.test/m.onnx"), sha);
        using var http = new HttpClient(new StubHandler(payload));
        var store = new ModelStore(_cache.Path, http, OnnxWeightsGenerator.Instance);
        var downloaded = 0L;

        // Act
        var path = await store.EnsureModelAsync(
            manifestPath,
            progress: new SyncProgress(p => downloaded = p.Stage == ModelProgressStage.Downloading ? p.BytesDone : downloaded));

        // Assert
        Assert.Equal(payload, await File.ReadAllBytesAsync(path));
        Assert.Equal(payload.Length, downloaded);
        Assert.Single(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task EnsureModelAsync_DownloadShaMismatch_ThrowsAndKeepsNoFile()
    {
        // Arrange
        var manifestPath = await WriteDownloadManifestAsync(new Uri("http://models.test/m.onnx"));
        using var http = new HttpClient(new StubHandler("version https://git-lfs.github.com/spec/v1\n"u8.ToArray()));
        var store = new ModelStore(_cache.Path, http, OnnxWeightsGenerator.Instance);

        // Act
        var ex = await Assert.ThrowsAsync<ModelIntegrityException>(() => store.EnsureModelAsync(manifestPath));

        // Assert
        Assert.Equal("ab65bdc02c5b3123eb3cdf6dac01742438517d8635d4f233913b2be1c70db3b6", ex.ExpectedSha256);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public async Task LoadLabelsAsync_ImageNetViaRelativePath_KeepsAllThousandWithDuplicates()
    {
        // Act
        var labels = await ModelStore.LoadLabelsAsync(RepoPaths.Manifest("resnet50-generated"));

        // Assert
        Assert.Equal(1000, labels.Count);
        Assert.Equal("tench", labels[0]);
        Assert.Equal("toilet tissue", labels[^1]);
        Assert.Equal(2, labels.Count(l => l == "crane"));
    }

    [Fact]
    public async Task LoadLabelsAsync_CountDiffersFromOutput_ThrowsInvalidData()
    {
        // Arrange
        await File.WriteAllTextAsync(_manifests.Combine("labels.txt"), "red\ngreen\nblue\n");
        var manifestPath = await WriteManifestCopyAsync("color-tiny", m => m);

        // Act
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => ModelStore.LoadLabelsAsync(manifestPath));

        // Assert
        Assert.Contains("3 labels", ex.Message, StringComparison.Ordinal);
        Assert.Contains("8 classes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadLabelsAsync_AbsolutePath_ThrowsInvalidData()
    {
        // Arrange
        var manifestPath = await WriteManifestCopyAsync("color-tiny", m => m with { Labels = Path.Combine(RepoPaths.ModelsFolder, "color-tiny", "labels.txt") });

        // Act + Assert
        await Assert.ThrowsAsync<InvalidDataException>(() => ModelStore.LoadLabelsAsync(manifestPath));
    }

    [Fact]
    public async Task LoadAsync_ColorModel_ReturnsManifestPathAndLabels()
    {
        // Arrange
        var store = new ModelStore(_cache.Path, generator: OnnxWeightsGenerator.Instance);

        // Act
        var model = await store.LoadAsync(RepoPaths.Manifest("color-tiny"));

        // Assert
        Assert.Equal("color-tiny", model.Manifest.Name);
        Assert.True(File.Exists(model.ModelPath));
        Assert.Equal(ColorModelGenerator.Classes.Select(c => c.Name), model.Labels);
    }

    private Task<string> WriteDownloadManifestAsync(Uri url, string? sha256 = null) =>
        WriteManifestCopyAsync("resnet50-v1-12", m => m with
        {
            Source = new ModelSource { Url = url },
            Sha256 = sha256 ?? m.Sha256,
            SizeBytes = 0,
            Labels = "labels.txt",
        });

    private async Task<string> WriteManifestCopyAsync(string modelName, Func<ModelManifest, ModelManifest> change)
    {
        var manifest = change(await ModelManifest.LoadAsync(RepoPaths.Manifest(modelName)));
        var path = _manifests.Combine("manifest.json");
        await File.WriteAllTextAsync(path, manifest.ToJson());
        return path;
    }

    /// <summary>Reports on the calling thread: <see cref="Progress{T}"/> posts later, which would race the asserts.</summary>
    private sealed class SyncProgress(Action<ModelProgress> report) : IProgress<ModelProgress>
    {
        public void Report(ModelProgress value) => report(value);
    }

    /// <summary>Serves fixed bytes for any request, standing in for the model host.</summary>
    private sealed class StubHandler(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
    }
}
