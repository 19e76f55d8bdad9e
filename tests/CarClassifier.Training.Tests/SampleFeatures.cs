using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Models;
using CarClassifier.Training.Backbone;
using CarClassifier.Training.Data;
using CarClassifier.Training.Features;

namespace CarClassifier.Training.Tests;

/// <summary>
/// The ResNet-18 backbone and the features of the in-repo demo set (samples/labelled/vehicle_types), computed once for
/// the tests that share this fixture. Uses the repository's model cache, so the prepared backbone is reused.
/// </summary>
public sealed class SampleFeatures : IAsyncLifetime
{
    public CarClassifier.Training.Backbone.Backbone Backbone { get; private set; } = null!;

    public LabelledDataset Dataset { get; private set; } = null!;

    public FeatureSet Features { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backbone = await new BackboneLoader(new ModelStore(RepoPaths.ModelCache)).LoadAsync(RepoPaths.ResNet18Manifest);
        Dataset = await LabelledFolder.ScanAsync(RepoPaths.SampleVehicles, ImageLimits.Default);
        var options = new ClassifierOptions();
        Features = await FeatureExtractor.ExtractAsync(Backbone, Dataset, options, cache: null, batchSize: 16, progress: null);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class SampleFeaturesCollection : ICollectionFixture<SampleFeatures>
{
    public const string Name = "sample features";
}
