using Azure.Core.Pipeline;
using CarClassifier.Core.Classification;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Ingest;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Configuration;

/// <summary>All of the pipeline's DI in one place, shared by the Functions app, the local host and the CLI.</summary>
public static class ServiceCollectionExtensions
{
    /// <param name="loadModelAtStart">
    /// Load the model as a hosted service, so a missing or corrupt model stops the host at start. Hosts pass false where
    /// classification never runs (the CPU ingest app disables its classify function; the CLI's own commands).
    /// </param>
    public static IServiceCollection AddCarClassifier(this IServiceCollection services, IConfiguration configuration, bool loadModelAtStart = true)
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
        // Any HttpPipelinePolicy registered in DI goes on every storage client (tests record requests with one).
        services.AddSingleton(sp => new StorageClientFactory(configuration, PipelineNames.StorageConnection, sp.GetServices<HttpPipelinePolicy>()));
        services.AddSingleton(sp => sp.GetRequiredService<StorageClientFactory>().CreateBlobServiceClient());
        if (ServiceBusServiceCollectionExtensions.ReadTransport(configuration) == MessageTransport.ServiceBus)
        {
            services.AddServiceBusTransport(configuration);
        }
        else
        {
            services.AddSingleton(sp => new WorkQueue(sp.GetRequiredService<StorageClientFactory>().CreateQueueClient(PipelineNames.WorkQueue)));
        }

        services.AddSingleton(sp => new ResultStore(sp.GetRequiredService<StorageClientFactory>().CreateTableClient(PipelineNames.ResultsTable)));
        services.AddHostedService<StorageBootstrapper>();

        services.AddSingleton<ImageIngestor>();
        services.AddSingleton<PoisonQueues>();
        services.AddSingleton<ImageClassifier>();
        services.AddSingleton(CreateDecodeMemoryBudget);
        services.AddSingleton(CreateDecoder);
        services.AddSingleton<ModelRuntime>();

        // Only where classification runs: the CPU ingest app must not download a 100 MB model it never uses.
        if (loadModelAtStart)
        {
            services.AddHostedService(sp => sp.GetRequiredService<ModelRuntime>());
        }

        return services;
    }

    private static DecodeMemoryBudget CreateDecodeMemoryBudget(IServiceProvider services)
    {
        var (bytes, source) = services.GetRequiredService<IOptions<ClassifierOptions>>().Value.ResolveDecodeMemoryBudget();
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DecodeMemoryBudget)).LogInformation(
            "Decode memory budget: {BudgetMiB} MiB ({Source})", bytes / (1024 * 1024), source);
        return new DecodeMemoryBudget(bytes);
    }

    private static IImageDecoder CreateDecoder(IServiceProvider services)
    {
        var decoder = ImageDecoderFactory.Create(services.GetRequiredService<IOptions<ClassifierOptions>>().Value.Decoder);
        if (decoder is TurboJpegDecoder && !TurboJpegDecoder.IsAvailable)
        {
            // Still correct, only slower: every JPEG goes to the skia decoder the TurboJPEG one falls back to.
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TurboJpegDecoder)).LogWarning(
                "Decoder turbojpeg is unavailable ({Reason}); JPEGs are decoded by skia instead, 10-40% slower per core", TurboJpegDecoder.UnavailableReason);
        }

        return decoder;
    }
}
