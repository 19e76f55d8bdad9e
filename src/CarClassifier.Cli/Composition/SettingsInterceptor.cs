using CarClassifier.Cli.Commands.Run;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.Output;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Composition;

/// <summary>
/// Applies the options every command shares before the command is created: --log-level / --quiet / --log-file set up
/// <see cref="CliLog"/> and <see cref="CliConsole"/>, and the parsed --connection (or its default) goes into the CLI's
/// configuration, so the storage clients the command receives are built once, from what the user asked for. A connection
/// string the SDK cannot parse is a usage error, reported before any client exists.
/// </summary>
internal sealed class SettingsInterceptor(IConfigurationRoot configuration) : ICommandInterceptor
{
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (settings is CliSettings cli)
        {
            // The host's log is its output; elsewhere the log is for when something goes wrong.
            var defaultLevel = context.Name == "host" || settings is RunSettings { Verbose: true } ? LogLevel.Information : LogLevel.Warning;
            CliConsole.Quiet = cli.Quiet;
            try
            {
                CliLog.Configure(cli.LogLevel, cli.Quiet, cli.LogFile, defaultLevel);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UsageException($"Cannot write the log file {cli.LogFile}: {ex.Message.Split('\n')[0]}", ex);
            }
        }

        if (settings is not StorageSettings storage) return;
        if (TransportSettings.Validate(TransportSettings.Read()) == MessageTransport.ServiceBus) TransportSettings.CheckConnection(configuration);
        foreach (var (key, value) in storage.ConnectionSettings()) configuration[key] = value;
        try
        {
            // Parses the connection string (or the identity settings) the same way the injected clients will.
            var factory = new StorageClientFactory(configuration);
            factory.CreateBlobServiceClient();
            factory.CreateQueueClient(PipelineNames.WorkQueue);
            factory.CreateTableClient(PipelineNames.ResultsTable);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new UsageException($"Invalid storage connection (--connection or ${PipelineNames.StorageConnection}): {ex.Message.Split('\n')[0]}", ex);
        }
    }

    public void InterceptResult(CommandContext context, CommandSettings settings, ref int result)
    {
        CliLog.Close();
        CliConsole.Quiet = false;
    }
}
