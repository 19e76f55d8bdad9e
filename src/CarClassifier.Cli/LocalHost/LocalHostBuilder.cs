using CarClassifier.Core.Configuration;
using CarClassifier.Core.Telemetry;
using CarClassifier.ModelGeneration;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CarClassifier.Cli.LocalHost;

/// <summary>Builds the local WebJobs host: the pipeline's triggers against Azurite (or any storage account).</summary>
public static class LocalHostBuilder
{
    /// <summary>The connection string of the Azurite development account (a public, well-known value).</summary>
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>Setting naming an extra telemetry exporter for the local host: "console".</summary>
    public const string TelemetryExporterSetting = "Telemetry:Exporter";

    /// <param name="settings">Configuration overrides (highest precedence), e.g. from the command line or a test.</param>
    /// <param name="configureLogging">Optional logging setup; console logging at Warning by default.</param>
    /// <param name="configureServices">Runs after every other registration, e.g. for a test to record storage requests.</param>
    public static IHost Build(
        IDictionary<string, string?>? settings = null,
        Action<ILoggingBuilder>? configureLogging = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = new HostBuilder()
            .UseContentRoot(Directory.GetCurrentDirectory())
            .ConfigureAppConfiguration(config =>
            {
                config.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [Core.PipelineNames.StorageConnection] = DevelopmentStorage,
                    [$"{ClassifierOptions.SectionName}:{nameof(ClassifierOptions.CreateStorageResources)}"] = "true",

                    // Local runs may generate resnet50-generated / color-tiny; the Functions app never does.
                    [$"{ClassifierOptions.SectionName}:{nameof(ClassifierOptions.AllowModelGeneration)}"] = "true",

                    // ONNX Runtime's intra-op threads spin between runs by default. On the local host (a laptop or a shared
                    // machine, small batches as photos trickle in) that spinning was most of its CPU per image: 640x480
                    // photos end to end went from 11.6-13.2 to 7.9 host core-ms/image with it off (docs/PERFORMANCE.md,
                    // "The local host end to end"). Classifier__IntraOpSpinning=true turns it back on.
                    [$"{ClassifierOptions.SectionName}:{nameof(ClassifierOptions.IntraOpSpinning)}"] = "false",
                });
                config.AddEnvironmentVariables();
                if (settings is not null) config.AddInMemoryCollection(settings);
            })
            // Core first: hosted services start in registration order, so storage is created and the model is loaded
            // (or the host stops with ModelIntegrityException) before the WebJobs listeners take any message.
            .ConfigureServices((context, services) =>
            {
                services.AddCarClassifier(context.Configuration);
                services.AddBlobTriggerPoisonQueue();
                LocalServiceBusClassifier.AddIfServiceBus(services, context.Configuration);
                services.AddModelGeneration();
                services.AddOptions<ReconcilerOptions>().Bind(context.Configuration.GetSection(ReconcilerOptions.SectionName));
            })
            .ConfigureWebJobs((context, webJobs) =>
            {
                webJobs.AddAzureStorageBlobs();
                webJobs.AddAzureStorageQueues(options => HostJsonQueueSettings.Apply(Path.Combine(AppContext.BaseDirectory, "host.json"), options));
                webJobs.Services.AddSingleton<ITypeLocator, FunctionTypeLocator>();

                // A fixed host id, so uploaders and the reconciler can write the receipts the blob trigger reads (UploadClaims).
                webJobs.Services.AddSingleton<Microsoft.Azure.WebJobs.Host.Executors.IHostIdProvider, LocalHostId>();

                // A poisoned message gets one line naming it and its last error (the default names neither).
                webJobs.Services.AddSingleton<Microsoft.Azure.WebJobs.Host.Queues.IQueueProcessorFactory, PoisonLineQueueProcessorFactory>();

                // The storage extensions build their clients through Microsoft.Extensions.Azure's AzureComponentFactory,
                // which applies these defaults to every client options it creates: the blob trigger then lists and
                // reads names as written (leading '/' kept) and survives the emulator's unlistable names, like our clients.
                webJobs.Services.AddAzureClients(clients => clients.ConfigureDefaults((options, _) => StorageClientFactory.ApplyBlobDefaults(options)));
            })
            .ConfigureServices((context, services) =>
            {
                // OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; console when asked (carclass host --telemetry console).
                var console = string.Equals(context.Configuration[TelemetryExporterSetting], "console", StringComparison.OrdinalIgnoreCase);
                services.AddPipelineTelemetry(
                    context.Configuration,
                    "carclass-local",
                    console ? tracing => tracing.AddConsoleExporter() : null,
                    console ? metrics => metrics.AddConsoleExporter() : null);

                // After the WebJobs host so its first sweep runs once the triggers are listening.
                services.AddHostedService<BlobReconciler>();
                configureServices?.Invoke(services);
            })
            .ConfigureLogging((context, logging) =>
            {
                // The SDK logs every expected 404/409 (CreateIfNotExists, empty queues) as a warning: noise here.
                logging.AddFilter("Azure.Core", LogLevel.Error);

                // No per-image Information lines by default (host.json levels, as in Azure); the Logging section turns
                // them back on, e.g. Logging__LogLevel__CarClassifier=Debug and Logging__LogLevel__Function=Information.
                HostJsonLogLevels.Apply(Path.Combine(AppContext.BaseDirectory, "host.json"), logging);
                logging.AddConfiguration(context.Configuration.GetSection("Logging"));
                if (configureLogging is not null)
                {
                    configureLogging(logging);
                }
                else
                {
                    // The commands explain start-up failures themselves; the host's own stack-trace dump would bury that.
                    logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                        .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
                }
            });
        var host = builder.Build();
        Core.Storage.EmulatorListingPolicy.Logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Core.Storage.EmulatorListingPolicy));
        return host;
    }
}
