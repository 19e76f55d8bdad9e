using Azure.Messaging.ServiceBus;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.ModelGeneration;
using CarClassifier.TestBroker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The pipeline on the Service Bus transport: the real local host does ingest (blob trigger → ServiceBusSender, its
/// classify trigger disabled as in Azure), the worker host's services classify (batch receive from the test broker),
/// Azurite holds blobs and rows. The real Azure.Messaging.ServiceBus client talks to <see cref="ServiceBusTestBroker"/>.
/// </summary>
internal sealed class ServiceBusPipeline : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private IHost? _worker;

    private ServiceBusPipeline(PipelineHost ingest, ServiceBusTestBroker broker, BrokerQueue queue, Dictionary<string, string?> settings)
    {
        Ingest = ingest;
        Broker = broker;
        Queue = queue;
        _settings = settings;
        Client = new ServiceBusClient(broker.ConnectionString);
    }

    public PipelineHost Ingest { get; }

    public ServiceBusTestBroker Broker { get; }

    public BrokerQueue Queue { get; }

    public ServiceBusClient Client { get; }

    /// <summary>Settings both hosts get (the worker process as environment variables).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    public static async Task<ServiceBusPipeline> CreateAsync(
        AzuriteFixture azurite, BrokerQueueOptions? queueOptions = null, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? configureIngest = null)
    {
        var broker = new ServiceBusTestBroker();
        var queue = broker.CreateQueue(PipelineNames.WorkQueue, queueOptions ?? new BrokerQueueOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        var settings = new Dictionary<string, string?>
        {
            ["Classifier:Transport"] = nameof(MessageTransport.ServiceBus),
            [PipelineNames.ServiceBusConnection] = broker.ConnectionString,
            ["Classifier:ServiceBus:MaxDeliveryCount"] = queue.Options.MaxDeliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Classifier:ServiceBus:MaxWaitMilliseconds"] = "200",
            ["Classifier:ServiceBus:DeadLetterScanSeconds"] = "1",
            ["Classifier:ServiceBus:LockRenewalSeconds"] = "1",
            ["Classifier:AllowModelGeneration"] = "true", // color-tiny is generated, as in every local run.
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;

        var ingestSettings = new Dictionary<string, string?>(settings) { [$"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled"] = "true" };
        var ingest = await PipelineHost.CreateAsync(azurite, ingestSettings, configureIngest);
        return new ServiceBusPipeline(ingest, broker, queue, settings) { IngestConnection = azurite.ConnectionString };
    }

    /// <summary>Starts ingest and an in-process worker host built exactly as src/CarClassifier.Worker/Program.cs builds it.</summary>
    public async Task StartAsync(bool withWorker = true)
    {
        await Ingest.StartAsync();
        if (withWorker) await StartWorkerAsync();
    }

    /// <param name="configureServices">Runs after every other registration, e.g. for a test to record storage requests.</param>
    public async Task StartWorkerAsync(Action<IServiceCollection>? configureServices = null)
    {
        var settings = new Dictionary<string, string?>(_settings)
        {
            [PipelineNames.StorageConnection] = IngestConnection,
            ["Classifier:ModelManifest"] = Path.Combine(RepoPaths.Models, "color-tiny", "manifest.json"),
            ["Classifier:ModelCacheDirectory"] = WorkerCache,
            ["Classifier:MaxBatchSize"] = _settings.GetValueOrDefault("Classifier:MaxBatchSize") ?? "8",
            ["Classifier:MaxBatchDelayMilliseconds"] = _settings.GetValueOrDefault("Classifier:MaxBatchDelayMilliseconds") ?? "250",
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCarClassifier(builder.Configuration);
        builder.Services.AddServiceBusClassifier();
        builder.Services.AddModelGeneration();
        configureServices?.Invoke(builder.Services);
        _worker = builder.Build();
        await _worker.StartAsync();
    }

    public ServiceBusClassifierWorker Worker => _worker!.Services.GetRequiredService<ServiceBusClassifierWorker>();

    public async Task StopWorkerAsync()
    {
        if (_worker is null) return;
        await _worker.StopAsync();
        _worker.Dispose();
        _worker = null;
    }

    /// <summary>The connection string the tests' Azurite uses (the ingest host's).</summary>
    public string IngestConnection { get; init; } = string.Empty;

    public string WorkerCache { get; } = Directory.CreateTempSubdirectory("carclass-worker-models-").FullName;

    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync();
        await Ingest.DisposeAsync();
        await Client.DisposeAsync();
        Broker.Dispose();
        try
        {
            Directory.Delete(WorkerCache, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
