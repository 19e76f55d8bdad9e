using CarClassifier.Core.Configuration;
using CarClassifier.Core.Models;
using CarClassifier.ModelGeneration;
using CarClassifier.Training.Backbone;
using CarClassifier.Training.Features;

namespace CarClassifier.Training.Tests.Backbone;

public sealed class BackboneLoaderTests
{
    [Fact]
    public async Task LoadAsync_ResNet18FromNuGet_IsPreparedToThePinnedSha256WithDynamicBatchFeatures()
    {
        // Arrange: a fresh cache, so the NuGet package really is transformed here.
        var cache = Directory.CreateTempSubdirectory("train-backbone-").FullName;
        try
        {
            var loader = new BackboneLoader(new ModelStore(cache));

            // Act
            var backbone = await loader.LoadAsync(RepoPaths.ResNet18Manifest);
            var images = Directory.GetFiles(Path.Combine(RepoPaths.SampleVehicles, "car")).Order(StringComparer.Ordinal).Take(3).ToList();
            using var runner = new ImageBatchRunner(backbone.FeaturesPath, backbone.FeaturesManifest, new ClassifierOptions(), batchSize: 3);
            var result = await runner.RunAsync(images, flips: true, progress: null);

            // Assert
            var manifest = await ModelManifest.LoadAsync(RepoPaths.ResNet18Manifest);
            Assert.Equal(manifest.Sha256, await ModelStore.ComputeSha256Async(backbone.FeaturesPath));
            Assert.Equal(512, backbone.Width);
            Assert.Equal(3, result.Outputs.Count(o => o is { Length: 1024 }));

            // Pooled ReLU features: non-negative, not all zero, different per photo and for a mirror image.
            var first = result.Outputs[0]!;
            Assert.All(first, v => Assert.True(v >= 0));
            Assert.True(first.Take(512).Sum() > 1);
            Assert.NotEqual(first.Take(512), result.Outputs[1]!.Take(512));
            Assert.NotEqual(first.Take(512), first.Skip(512));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public async Task LoadAsync_ClassifierWithAFinalGemm_IsCutAtTheGemmInput()
    {
        // Arrange: the real ResNet-50 architecture (seeded weights), whose last node is Gemm over 2048 pooled features,
        // exactly as in resnet50-v1-12.
        var cache = Directory.CreateTempSubdirectory("train-cut-").FullName;
        try
        {
            var loader = new BackboneLoader(new ModelStore(cache, generator: OnnxWeightsGenerator.Instance));

            // Act
            var backbone = await loader.LoadAsync(RepoPaths.Manifest("resnet50-generated"));
            var images = Directory.GetFiles(Path.Combine(RepoPaths.SampleVehicles, "bike")).Order(StringComparer.Ordinal).Take(2).ToList();
            using var runner = new ImageBatchRunner(backbone.FeaturesPath, backbone.FeaturesManifest, new ClassifierOptions(), batchSize: 2);
            var result = await runner.RunAsync(images, flips: false, progress: null);

            // Assert
            Assert.Equal(2048, backbone.Width);
            Assert.NotEqual(backbone.BaseManifest.Output.Name, backbone.FeaturesManifest.Output.Name);
            Assert.DoesNotContain(backbone.FeaturesModel.Graph.Node, n => n.OpType == "Gemm");
            Assert.All(result.Outputs, row => Assert.Equal(2048, row!.Length));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
