using CarClassifier.Core.Classification;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Ingest;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Configuration;

/// <summary>All of the pipeline's DI in one place, shared by the Functions app, the local host and the CLI.</summary>
public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddCarClassifier(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<ClassifierOptions>()
            .Bind(configuration.GetSection(ClassifierOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.PostConfigure<ClassifierOptions>(options =>
        {
            // The queue's own retry limit, unless the Classifier section sets one explicitly.
            if (configuration[$"{ClassifierOptions.SectionName}:{nameof(ClassifierOptions.MaxDequeueCount)}"] is null
                && QueueRetrySettings.ReadMaxDequeueCount(configuration) is { } max)
            {
                options.MaxDequeueCount = max;
            }
        });

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new StorageClientFactory(configuration));
        services.AddSingleton(sp => sp.GetRequiredService<StorageClientFactory>().CreateBlobServiceClient());
        services.AddSingleton(sp => new WorkQueue(sp.GetRequiredService<StorageClientFactory>().CreateQueueClient(PipelineNames.WorkQueue)));
        services.AddSingleton(sp => new ResultStore(sp.GetRequiredService<StorageClientFactory>().CreateTableClient(PipelineNames.ResultsTable)));
        services.AddHostedService<StorageBootstrapper>();

        services.AddSingleton<ImageIngestor>();
        services.AddSingleton<PoisonQueues>();
        services.AddSingleton<ImageClassifier>();
        services.AddSingleton(CreateDecoder);
        services.AddSingleton<ModelRuntime>();

        // Load the model at start only where classification runs: the CPU ingest app disables the
        // classify function and must not download a 100 MB model it never uses.
        if (!IsFunctionDisabled(configuration, PipelineNames.ClassifyFunction))
        {
            services.AddHostedService(sp => sp.GetRequiredService<ModelRuntime>());
        }

        return services;
    }

    private static IImageDecoder CreateDecoder(IServiceProvider services)
    {
        IImageDecoder decoder = ImageDecoderFactory.Create(services.GetRequiredService<IOptions<ClassifierOptions>>().Value.Decoder);
        if (decoder is TurboJpegDecoder && !TurboJpegDecoder.IsAvailable)
        {
            // Still correct, only slower: every JPEG goes to the skia decoder the TurboJPEG one falls back to.
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TurboJpegDecoder)).LogWarning(
                "Decoder turbojpeg is unavailable ({Reason}); JPEGs are decoded by skia instead, 10-40% slower per core", TurboJpegDecoder.UnavailableReason);
        }

        return decoder;
    }

    /// <summary>Reads the standard <c>AzureWebJobs.&lt;Name&gt;.Disabled</c> app setting (also in its underscore form).</summary>
    public static bool IsFunctionDisabled(IConfiguration configuration, string functionName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var key in new[] { $"AzureWebJobs.{functionName}.Disabled", $"AzureWebJobs_{functionName}_Disabled", $"AzureWebJobs:{functionName}:Disabled" })
        {
            if (bool.TryParse(configuration[key], out var disabled) && disabled) return true;
        }

        return false;
    }
}
