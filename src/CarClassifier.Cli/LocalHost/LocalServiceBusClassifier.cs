using CarClassifier.Core;
using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// <c>carclass run</c>/<c>host</c> with <c>Classifier:Transport=ServiceBus</c>: ingest sends to Service Bus (the Core
/// registration does that), and the worker host's batch consumer takes the place of the storage-queue classify trigger,
/// which is switched off with the same <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> setting the Functions app uses
/// in Azure. A host started with that setting already (ingest only, as the tests and benchmarks do) classifies nothing.
/// </summary>
internal static class LocalServiceBusClassifier
{
    public static readonly string ClassifyDisabledSetting = $"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled";

    /// <summary>Adds the Service Bus consumer when this host should classify from Service Bus; true when it did.</summary>
    public static bool AddIfServiceBus(IServiceCollection services, IConfiguration configuration)
    {
        if (ServiceBusServiceCollectionExtensions.ReadTransport(configuration) != MessageTransport.ServiceBus) return false;
        foreach (var key in new[] { ClassifyDisabledSetting, $"AzureWebJobs_{PipelineNames.ClassifyFunction}_Disabled", $"AzureWebJobs:{PipelineNames.ClassifyFunction}:Disabled" })
        {
            if (bool.TryParse(configuration[key], out var disabled) && disabled) return false;
        }


        // The WebJobs indexer reads this from the same configuration when the host starts, after this runs.
        configuration[ClassifyDisabledSetting] = "true";
        services.AddServiceBusClassifier();
        return true;
    }
}
