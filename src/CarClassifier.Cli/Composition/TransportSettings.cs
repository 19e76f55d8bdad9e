using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.Cli.Composition;

/// <summary>
/// The transport settings the CLI's own commands (<c>watch</c>, <c>poison list/replay</c>) take from the environment,
/// the same variables the hosts read: <c>Classifier__Transport</c>, <c>Classifier__ServiceBus__*</c> and
/// <c>ServiceBusConnection</c> (or <c>ServiceBusConnection__fullyQualifiedNamespace</c>). Nothing else is taken, so the
/// CLI's storage settings stay the command line's.
/// </summary>
internal static class TransportSettings
{
    private static readonly string TransportKey = $"{ClassifierOptions.SectionName}:{nameof(ClassifierOptions.Transport)}";

    /// <summary>The transport keys present in <paramref name="environment"/> (default: the process environment).</summary>
    public static Dictionary<string, string?> Read(IConfiguration? environment = null)
    {
        environment ??= new ConfigurationBuilder().AddEnvironmentVariables().Build();
        return environment.AsEnumerable()
            .Where(kv => kv.Value is not null && IsTransportKey(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The transport the settings choose; an unknown one is a usage error naming the known values.</summary>
    public static MessageTransport Validate(IReadOnlyDictionary<string, string?> settings)
    {
        try
        {
            return ServiceBusServiceCollectionExtensions.ReadTransport(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException(ex.Message.Replace(TransportKey, "$Classifier__Transport", StringComparison.Ordinal), ex);
        }
    }

    /// <summary>A Service Bus connection that is missing or that the SDK cannot parse is a usage error, before any command runs.</summary>
    public static void CheckConnection(IConfiguration configuration)
    {
        try
        {
            // Parses only: the client connects on its first send or receive.
            ServiceBusClientFactory.Create(configuration).DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new UsageException($"Invalid Service Bus connection (${PipelineNames.ServiceBusConnection}): {ex.Message.Split('\n')[0]}", ex);
        }
    }

    private static bool IsTransportKey(string key) =>
        key.Equals(TransportKey, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(ServiceBusOptions.SectionName + ":", StringComparison.OrdinalIgnoreCase)
        || key.Equals(PipelineNames.ServiceBusConnection, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(PipelineNames.ServiceBusConnection + ":", StringComparison.OrdinalIgnoreCase);
}
