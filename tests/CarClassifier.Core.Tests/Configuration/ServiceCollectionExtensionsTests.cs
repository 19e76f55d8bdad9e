using CarClassifier.Core.Configuration;
using CarClassifier.Core.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Tests.Configuration;

public sealed class ServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings.TryAdd(PipelineNames.StorageConnection, "UseDevelopmentStorage=true");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCarClassifier(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddCarClassifier_ClassifyEnabled_LoadsTheModelAtStart()
    {
        using var provider = Build([]);

        Assert.Contains(provider.GetServices<IHostedService>(), s => s is ModelRuntime);
    }

    [Fact]
    public void AddCarClassifier_NoGenerationSetting_NeverGenerates()
    {
        // Only the local host and tests turn generation on; a deployed app must not make up weights.
        using var provider = Build([]);

        Assert.False(provider.GetRequiredService<IOptions<ClassifierOptions>>().Value.AllowModelGeneration);
    }

    [Fact]
    public void AddCarClassifier_LoadModelAtStartFalse_NeverLoadsTheModel()
    {
        // The CPU ingest app (ClassifyImages disabled) and the CLI must not download a 100 MB model they never use.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = "UseDevelopmentStorage=true" }).Build();
        using var provider = new ServiceCollection().AddLogging().AddCarClassifier(configuration, loadModelAtStart: false).BuildServiceProvider();

        Assert.DoesNotContain(provider.GetServices<IHostedService>(), s => s is ModelRuntime);
    }

    [Fact]
    public void AddCarClassifier_BindsTheClassifierSection()
    {
        using var provider = Build(new() { ["Classifier:MaxBatchSize"] = "64", ["Classifier:Decoder"] = "imagesharp", ["Classifier:AcceptedFormats:0"] = "Png", ["Classifier:MaxJpegScans"] = "40" });

        var options = provider.GetRequiredService<IOptions<ClassifierOptions>>().Value;

        Assert.Equal(64, options.MaxBatchSize);
        Assert.Equal("imagesharp", options.Decoder);
        Assert.Equal([Core.Imaging.ImageFormat.Png], options.ToImageLimits().AcceptedFormats);
        Assert.Equal(40, options.ToImageLimits().MaxJpegScans);
    }

    [Fact]
    public void AddCarClassifier_NoDecoderSetting_UsesTurboJpeg()
    {
        using var provider = Build(new());

        var decoder = provider.GetRequiredService<Core.Imaging.IImageDecoder>();

        Assert.IsType<Core.Imaging.TurboJpegDecoder>(decoder);
    }

    [Fact]
    public void AddCarClassifier_InvalidLimit_FailsValidationNamingTheSetting()
    {
        using var provider = Build(new() { ["Classifier:MaxBatchSize"] = "0" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ClassifierOptions>>().Value);
        Assert.Contains(nameof(ClassifierOptions.MaxBatchSize), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCarClassifier_UnknownDecoder_FailsValidationNamingTheKnownOnes()
    {
        using var provider = Build(new() { ["Classifier:Decoder"] = "libjpeg" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ClassifierOptions>>().Value);
        Assert.Contains("Unknown image decoder 'libjpeg' (Classifier:Decoder). Known decoders: imagesharp, skia, turbojpeg.", ex.Message, StringComparison.Ordinal);
    }
}
