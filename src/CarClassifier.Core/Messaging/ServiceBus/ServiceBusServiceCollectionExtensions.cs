using Azure.Messaging.ServiceBus;
using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>The Service Bus half of the pipeline's DI; <see cref="ServiceCollectionExtensions.AddCarClassifier"/> calls the first part.</summary>
public static class ServiceBusServiceCollectionExtensions
{
    /// <summary>Reads <c>Classifier:Transport</c>; an unknown value stops the host at start with the known names.</summary>
    public static MessageTransport ReadTransport(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var key = $"{ClassifierOptions.SectionName}:{nameof(ClassifierOptions.Transport)}";
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value)) return MessageTransport.StorageQueue;
        if (Enum.TryParse<MessageTransport>(value.Trim(), ignoreCase: true, out var transport) && Enum.IsDefined(transport)) return transport;
        throw new InvalidOperationException($"Unknown transport '{value}' ({key}). Known transports: {string.Join(", ", Enum.GetNames<MessageTransport>())}.");
    }

    /// <summary>On Service Bus: the client and the sender ingest uses in place of the storage work queue.</summary>
    internal static void AddServiceBusTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServiceBusOptions>()
            .Bind(configuration.GetSection(ServiceBusOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(_ => ServiceBusClientFactory.Create(configuration));
        services.AddSingleton<WorkQueue>(sp => new ServiceBusWorkQueue(sp.GetRequiredService<ServiceBusClient>()));
        services.AddSingleton<ServiceBusDeadLetterQueue>();
        services.AddSingleton<ServiceBusQueueDepth>();
    }

    /// <summary>The Service Bus classifier: the batch consumer and the dead-letter recorder (the worker host's role).</summary>
    public static IServiceCollection AddServiceBusClassifier(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // The host waits for the batch in flight for as long as the worker's grace allows, plus time to abandon what is
        // left: with the host's own default (30 s) a grace above 20 s would be cut short and its messages left locked.
        services.AddOptions<HostOptions>().Configure<IOptions<ServiceBusOptions>>((host, serviceBus) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(serviceBus.Value.ShutdownGraceSeconds + ServiceBusOptions.ShutdownSettleSeconds));
        services.AddSingleton<ServiceBusClassifierWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ServiceBusClassifierWorker>());
        services.AddHostedService<DeadLetterRecorder>();
        return services;
    }
}
