using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.Core.Configuration;

/// <summary>
/// Creates the storage clients from the same connection setting the triggers use
/// (<see cref="PipelineNames.StorageConnection"/>): either a connection string (Azurite, local runs)
/// or identity-based settings — <c>__accountName</c> or <c>__blobServiceUri</c>/<c>__queueServiceUri</c>/
/// <c>__tableServiceUri</c>, with <c>__clientId</c> for a user-assigned identity — so no key is needed in Azure.
/// </summary>
public sealed class StorageClientFactory
{
    private readonly string? _connectionString;
    private readonly IConfigurationSection _section;
    private readonly Lazy<TokenCredential> _credential;

    public StorageClientFactory(IConfiguration configuration, string connectionName = PipelineNames.StorageConnection)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _section = configuration.GetSection(connectionName);
        _connectionString = _section.Value;
        if (string.IsNullOrWhiteSpace(_connectionString) && !_section.GetChildren().Any())
        {
            throw new InvalidOperationException(
                $"No storage connection configured. Set '{connectionName}' to a connection string " +
                $"(e.g. UseDevelopmentStorage=true for Azurite) or '{connectionName}__accountName' for an identity-based connection.");
        }

        _credential = new Lazy<TokenCredential>(() =>
        {
            var clientId = _section["clientId"];
            return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        });
    }

    public BlobServiceClient CreateBlobServiceClient() =>
        UsesConnectionString ? new BlobServiceClient(_connectionString) : new BlobServiceClient(ServiceUri("blob"), _credential.Value);

    /// <summary>
    /// Queue messages are Base64-encoded because that is what the Functions and WebJobs queue triggers
    /// expect by default (host.json extensions.queues.messageEncoding).
    /// </summary>
    public QueueClient CreateQueueClient(string queueName)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return UsesConnectionString
            ? new QueueClient(_connectionString, queueName, options)
            : new QueueClient(new Uri(ServiceUri("queue"), queueName), _credential.Value, options);
    }

    public TableClient CreateTableClient(string tableName) =>
        UsesConnectionString
            ? new TableClient(_connectionString, tableName)
            : new TableClient(ServiceUri("table"), tableName, _credential.Value);

    private bool UsesConnectionString => !string.IsNullOrWhiteSpace(_connectionString);

    private Uri ServiceUri(string service)
    {
        var explicitUri = _section[$"{service}ServiceUri"];
        if (!string.IsNullOrWhiteSpace(explicitUri)) return new Uri(explicitUri.TrimEnd('/') + "/");
        var account = _section["accountName"];
        if (string.IsNullOrWhiteSpace(account))
        {
            throw new InvalidOperationException(
                $"Identity-based storage connection '{_section.Path}' needs '{_section.Path}__accountName' or '{_section.Path}__{service}ServiceUri'.");
        }

        return new Uri($"https://{account}.{service}.core.windows.net/");
    }
}
