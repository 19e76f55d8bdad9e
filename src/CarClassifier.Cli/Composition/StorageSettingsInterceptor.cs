using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Composition;

/// <summary>
/// Puts the parsed --connection (or its default) into the CLI's configuration before the command is created, so the
/// storage clients the command receives are built once, from what the user asked for. A connection string the SDK
/// cannot parse is a usage error, reported before any client exists.
/// </summary>
internal sealed class StorageSettingsInterceptor(IConfigurationRoot configuration) : ICommandInterceptor
{
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        if (settings is not StorageSettings storage) return;
        if (TransportSettings.Validate(TransportSettings.Read()) == MessageTransport.ServiceBus) TransportSettings.CheckConnection(configuration);
        configuration[PipelineNames.StorageConnection] = storage.ResolveConnection();
        try
        {
            // Parses the connection string (or the identity settings) the same way the injected clients will.
            new StorageClientFactory(configuration).CreateBlobServiceClient();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new UsageException($"Invalid storage connection (--connection or ${PipelineNames.StorageConnection}): {ex.Message.Split('\n')[0]}", ex);
        }
    }
}
