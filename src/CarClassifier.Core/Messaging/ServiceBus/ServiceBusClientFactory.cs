using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// Creates the one <see cref="ServiceBusClient"/> from <see cref="PipelineNames.ServiceBusConnection"/>, the way the
/// Functions Service Bus extension reads a connection: <c>ServiceBusConnection__fullyQualifiedNamespace</c> plus an
/// identity (<c>__clientId</c> for a user-assigned one) in Azure, where the namespace has local auth disabled; a
/// connection string only for local testing (the emulator, or the tests' broker).
/// </summary>
public static class ServiceBusClientFactory
{
    public static ServiceBusClient Create(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(PipelineNames.ServiceBusConnection);
        var options = new ServiceBusClientOptions
        {
            // Stated rather than left to the SDK default, like the storage clients' policy: 3 tries, 30 s each.
            RetryOptions = new ServiceBusRetryOptions
            {
                Mode = ServiceBusRetryMode.Exponential,
                MaxRetries = 3,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(10),
                TryTimeout = TimeSpan.FromSeconds(30),
            },
        };
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new ServiceBusClient(section.Value, options);
        }

        var fullyQualifiedNamespace = section["fullyQualifiedNamespace"];
        if (string.IsNullOrWhiteSpace(fullyQualifiedNamespace))
        {
            throw new InvalidOperationException(
                $"{PipelineNames.OptionsSection}:Transport is ServiceBus but no Service Bus connection is configured. Set " +
                $"'{PipelineNames.ServiceBusConnection}__fullyQualifiedNamespace' (e.g. mynamespace.servicebus.windows.net) with an identity, " +
                $"or '{PipelineNames.ServiceBusConnection}' to a connection string for local testing.");
        }

        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
        return new ServiceBusClient(fullyQualifiedNamespace, credential, options);
    }
}
