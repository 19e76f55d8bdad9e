using System.ComponentModel;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>
/// Options every command that talks to storage shares: a connection string (Azurite, keys), or an account name /
/// service endpoints used with DefaultAzureCredential (az login, a managed identity; the deployed account has shared
/// keys off), as the hosts' AzureWebJobsStorage__accountName / __blobServiceUri settings.
/// </summary>
public class StorageSettings : CliSettings
{
    [CommandOption("-c|--connection <CONNECTION_STRING>")]
    [Description("Storage connection string. Default: $AzureWebJobsStorage, else the local Azurite (on $AZURITE_*_PORT when set).")]
    public string? Connection { get; init; }

    [CommandOption("--account-name <NAME>")]
    [Description("Storage account to reach with your Azure identity (DefaultAzureCredential: az login, managed identity) instead of a key.")]
    public string? AccountName { get; init; }

    [CommandOption("--blob-endpoint <URL>")]
    [Description("Blob service URL for identity auth (instead of --account-name; give --queue-endpoint and --table-endpoint too).")]
    public string? BlobEndpoint { get; init; }

    [CommandOption("--queue-endpoint <URL>")]
    [Description("Queue service URL for identity auth.")]
    public string? QueueEndpoint { get; init; }

    [CommandOption("--table-endpoint <URL>")]
    [Description("Table service URL for identity auth.")]
    public string? TableEndpoint { get; init; }

    /// <summary>Identity auth was asked for (an account name or an endpoint).</summary>
    public bool UsesIdentity => AccountName is not null || BlobEndpoint is not null || QueueEndpoint is not null || TableEndpoint is not null;

    public string ResolveConnection() =>
        Connection
        ?? Environment.GetEnvironmentVariable(PipelineNames.StorageConnection)
        ?? AzuriteConnection.FromEnvironment()
        ?? LocalHostBuilder.DevelopmentStorage;

    /// <summary>The storage settings for the clients (and the local host): the connection string, or the identity-based keys.</summary>
    public IReadOnlyDictionary<string, string?> ConnectionSettings()
    {
        if (!UsesIdentity) return new Dictionary<string, string?> { [PipelineNames.StorageConnection] = ResolveConnection() };
        var prefix = PipelineNames.StorageConnection + ":";
        return new Dictionary<string, string?>
        {
            // No connection string: StorageClientFactory then builds identity clients from the keys below.
            [PipelineNames.StorageConnection] = null,
            [prefix + "accountName"] = AccountName,
            [prefix + "blobServiceUri"] = BlobEndpoint,
            [prefix + "queueServiceUri"] = QueueEndpoint,
            [prefix + "tableServiceUri"] = TableEndpoint,
        };
    }

    public override ValidationResult Validate()
    {
        if (base.Validate() is { Successful: false } common) return common;
        if (!UsesIdentity) return ValidationResult.Success();
        if (Connection is not null) return ValidationResult.Error("Pass either --connection or --account-name/--*-endpoint, not both.");
        if (AccountName is not null && (AccountName.Length is < 3 or > 24 || !AccountName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))))
        {
            return ValidationResult.Error($"--account-name '{AccountName}' is not a storage account name (3-24 lowercase letters and digits).");
        }

        foreach (var (option, value) in new[] { ("--blob-endpoint", BlobEndpoint), ("--queue-endpoint", QueueEndpoint), ("--table-endpoint", TableEndpoint) })
        {
            if (value is null) continue;
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                // The Azure SDK sends a bearer token only over TLS.
                return ValidationResult.Error($"{option} must be an https:// URL (a token is only sent over TLS): {value}");
            }
        }

        return AccountName is null && (BlobEndpoint is null || QueueEndpoint is null || TableEndpoint is null)
            ? ValidationResult.Error("Without --account-name, give all three of --blob-endpoint, --queue-endpoint and --table-endpoint.")
            : ValidationResult.Success();
    }
}
