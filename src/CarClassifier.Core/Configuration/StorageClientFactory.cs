using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CarClassifier.Core.Storage;
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
    private readonly HttpPipelinePolicy[] _policies;
    private readonly bool _sdkDiagnostics;

    /// <summary>
    /// Setting that turns the Azure SDK's per-request logging and distributed tracing back on for these clients
    /// (off by default: see <see cref="ApplyDiagnostics"/>).
    /// </summary>
    public const string SdkDiagnosticsSetting = "Storage:SdkDiagnostics";

    /// <param name="configuration">Holds the connection setting.</param>
    /// <param name="connectionName">The connection setting's name (prefix).</param>
    /// <param name="policies">
    /// Extra per-call pipeline policies every client gets; tests record the storage resources the pipeline touches with one
    /// (tests/CarClassifier.EndToEnd.Tests/StorageUseTests.cs checks them against infra/storage-use.json).
    /// </param>
    public StorageClientFactory(IConfiguration configuration, string connectionName = PipelineNames.StorageConnection, IEnumerable<HttpPipelinePolicy>? policies = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _policies = policies?.ToArray() ?? [];
        _section = configuration.GetSection(connectionName);
        _connectionString = _section.Value;
        _sdkDiagnostics = bool.TryParse(configuration[SdkDiagnosticsSetting], out var diagnostics) && diagnostics;
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

    /// <summary>
    /// The retry policy every client gets, stated here rather than left to each SDK's default: exponential backoff,
    /// 5 retries from 0.5 s up to 10 s, 30 s per try. Only transient answers (408, 429, 500, 502, 503, 504, network
    /// errors) are retried; when the last retry fails the exception reaches the trigger, the queue message is retried
    /// (host.json maxDequeueCount) and finally moved to the poison queue with the failure logged.
    /// </summary>
    public static void ApplyRetryPolicy(ClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>
    /// The Azure SDK's per-request logging (LoggingPolicy: Request/Response events with every header formatted) and
    /// its distributed-tracing scopes are off unless <see cref="SdkDiagnosticsSetting"/> is true. Both hosts register
    /// a listener that forwards every Azure SDK event to ILogger at Verbose (the WebJobs/Functions storage extensions
    /// start Microsoft.Extensions.Azure's AzureEventSourceLogForwarder), so with logging on each request pays for
    /// formatting events that the host's "Azure.Core" filter then drops: 0.2-0.4 core-ms per call, measured by
    /// <c>scripts/bench.sh --only calls</c> (docs/PERFORMANCE.md). Failures still surface: a failed call throws
    /// RequestFailedException, which the trigger logs.
    /// </summary>
    public void ApplyDiagnostics(ClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Diagnostics.IsLoggingEnabled = _sdkDiagnostics;
        options.Diagnostics.IsDistributedTracingEnabled = _sdkDiagnostics;
    }

    /// <summary>
    /// What every blob client of the pipeline needs, ours and (in the local host) the WebJobs extension's: names as
    /// listed, not trimmed ('/a.jpg' and 'a/' are other blobs than 'a.jpg' and 'a'; see Storage.BlobNameAddressing), and
    /// the emulator's listing repaired (<see cref="EmulatorListingPolicy"/>). Other client options are left alone.
    /// </summary>
    public static void ApplyBlobDefaults(ClientOptions options)
    {
        if (options is not BlobClientOptions blob) return;
        blob.TrimBlobNameSlashes = false;
        blob.AddPolicy(new EmulatorListingPolicy(), HttpPipelinePosition.PerCall);
    }

    /// <summary>The credential identity-based clients use; null when a connection string is configured.</summary>
    public TokenCredential? Credential => UsesConnectionString ? null : _credential.Value;

    /// <param name="configure">Last word on the options (benchmarks compare settings with it).</param>
    public BlobServiceClient CreateBlobServiceClient(Action<ClientOptions>? configure = null)
    {
        var options = new BlobClientOptions();
        ApplyBlobDefaults(options);
        Configure(options);
        configure?.Invoke(options);
        return UsesConnectionString ? new BlobServiceClient(_connectionString, options) : new BlobServiceClient(ServiceUri("blob"), _credential.Value, options);
    }

    /// <summary>
    /// Queue messages are Base64-encoded because that is what the Functions and WebJobs queue triggers
    /// expect by default (host.json extensions.queues.messageEncoding).
    /// </summary>
    public QueueClient CreateQueueClient(string queueName, Action<ClientOptions>? configure = null) =>
        CreateQueueClient(queueName, QueueMessageEncoding.Base64, configure);

    /// <summary>A queue client with an explicit message encoding (e.g. None to read another component's raw messages).</summary>
    public QueueClient CreateQueueClient(string queueName, QueueMessageEncoding encoding, Action<ClientOptions>? configure = null)
    {
        var options = new QueueClientOptions { MessageEncoding = encoding };
        Configure(options);
        configure?.Invoke(options);
        return UsesConnectionString
            ? new QueueClient(_connectionString, queueName, options)
            : new QueueClient(new Uri(ServiceUri("queue"), queueName), _credential.Value, options);
    }

    public TableClient CreateTableClient(string tableName, Action<ClientOptions>? configure = null)
    {
        var options = new TableClientOptions();
        Configure(options);
        configure?.Invoke(options);
        return UsesConnectionString
            ? new TableClient(_connectionString, tableName, options)
            : new TableClient(ServiceUri("table"), tableName, _credential.Value, options);
    }

    private void Configure(ClientOptions options)
    {
        ApplyRetryPolicy(options);
        ApplyDiagnostics(options);
        foreach (var policy in _policies) options.AddPolicy(policy, HttpPipelinePosition.PerCall);
    }

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
