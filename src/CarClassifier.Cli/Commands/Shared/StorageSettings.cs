using System.ComponentModel;
using CarClassifier.Cli.LocalHost;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Options every command that talks to storage shares.</summary>
public class StorageSettings : CliSettings
{
    [CommandOption("-c|--connection <CONNECTION_STRING>")]
    [Description("Storage connection string. Default: $AzureWebJobsStorage, else the local Azurite development account.")]
    public string? Connection { get; init; }

    public string ResolveConnection() =>
        Connection
        ?? Environment.GetEnvironmentVariable(Core.PipelineNames.StorageConnection)
        ?? AzuriteConnection.FromEnvironment()
        ?? LocalHostBuilder.DevelopmentStorage;
}
