using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.Core.Tests.Configuration;

/// <summary>
/// Which endpoints and which credential the storage clients get: a connection string (Azurite) signs with the
/// account key; identity-based settings (<c>AzureWebJobsStorage__accountName</c> or <c>__*ServiceUri</c>) use
/// DefaultAzureCredential and no key at all. No network: constructing a client makes no request.
/// </summary>
public sealed class StorageClientFactoryTests
{
    // The public, documented Azurite development account key: not a secret.
    private const string Azurite =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    private static StorageClientFactory Create(params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void CreateClients_ConnectionString_UsesItsEndpointsAndTheAccountKey()
    {
        // Arrange
        var factory = Create((PipelineNames.StorageConnection, Azurite));

        // Act
        var blobs = factory.CreateBlobServiceClient();
        var queue = factory.CreateQueueClient(PipelineNames.WorkQueue);
        var table = factory.CreateTableClient(PipelineNames.ResultsTable);

        // Assert
        Assert.Null(factory.Credential);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", blobs.Uri.ToString().TrimEnd('/'));
        Assert.Equal($"http://127.0.0.1:10001/devstoreaccount1/{PipelineNames.WorkQueue}", queue.Uri.ToString());
        Assert.Equal("devstoreaccount1", table.AccountName);
        Assert.True(blobs.CanGenerateAccountSasUri, "a key-signed client can make SAS URIs");
        Assert.True(queue.CanGenerateSasUri);
    }

    [Fact]
    public void CreateClients_AccountNameOnly_UsesPublicEndpointsAndDefaultAzureCredential()
    {
        // Arrange
        var factory = Create(($"{PipelineNames.StorageConnection}:accountName", "stcarclass"));

        // Act
        var blobs = factory.CreateBlobServiceClient();
        var queue = factory.CreateQueueClient(PipelineNames.WorkQueue);
        var table = factory.CreateTableClient(PipelineNames.ResultsTable);

        // Assert
        Assert.IsType<DefaultAzureCredential>(factory.Credential);
        Assert.Equal(new Uri("https://stcarclass.blob.core.windows.net/"), blobs.Uri);
        Assert.Equal(new Uri($"https://stcarclass.queue.core.windows.net/{PipelineNames.WorkQueue}"), queue.Uri);
        Assert.Equal(new Uri($"https://stcarclass.table.core.windows.net/{PipelineNames.ResultsTable}"), table.Uri);
        Assert.False(blobs.CanGenerateAccountSasUri, "an identity-based client holds no key");
        Assert.False(queue.CanGenerateSasUri);
    }

    [Fact]
    public void CreateClients_ExplicitServiceUris_WinOverTheAccountName()
    {
        // Arrange: the double-underscore form that app settings use, read through environment-variable style keys.
        var factory = Create(
            ($"{PipelineNames.StorageConnection}:accountName", "ignored"),
            ($"{PipelineNames.StorageConnection}:blobServiceUri", "https://blobs.example.net"),
            ($"{PipelineNames.StorageConnection}:queueServiceUri", "https://queues.example.net/"),
            ($"{PipelineNames.StorageConnection}:tableServiceUri", "https://tables.example.net/"),
            ($"{PipelineNames.StorageConnection}:clientId", "00000000-0000-0000-0000-000000000001"));

        // Act
        var blobs = factory.CreateBlobServiceClient();
        var queue = factory.CreateQueueClient(PipelineNames.WorkQueue);
        var table = factory.CreateTableClient(PipelineNames.ResultsTable);

        // Assert
        Assert.IsType<DefaultAzureCredential>(factory.Credential);
        Assert.Equal(new Uri("https://blobs.example.net/"), blobs.Uri);
        Assert.Equal(new Uri($"https://queues.example.net/{PipelineNames.WorkQueue}"), queue.Uri);
        Assert.Equal(new Uri($"https://tables.example.net/{PipelineNames.ResultsTable}"), table.Uri);
    }

    [Fact]
    public void Constructor_DoubleUnderscoreEnvironmentVariables_AreReadAsTheIdentitySection()
    {
        // Arrange: AzureWebJobsStorage__accountName as the Functions host and `carclass host` see it.
        var name = $"CARCLASS_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable($"{name}{PipelineNames.StorageConnection}__accountName", "stfromenv");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(name).Build();

            // Act
            var blobs = new StorageClientFactory(configuration).CreateBlobServiceClient();

            // Assert
            Assert.Equal(new Uri("https://stfromenv.blob.core.windows.net/"), blobs.Uri);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"{name}{PipelineNames.StorageConnection}__accountName", null);
        }
    }

    [Fact]
    public void Constructor_NothingConfigured_ThrowsNamingBothSettings()
    {
        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => Create());

        // Assert
        Assert.Contains(PipelineNames.StorageConnection, ex.Message, StringComparison.Ordinal);
        Assert.Contains("__accountName", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateBlobServiceClient_IdentityWithoutAccountOrUri_ThrowsNamingTheMissingSetting()
    {
        // Arrange
        var factory = Create(($"{PipelineNames.StorageConnection}:clientId", "00000000-0000-0000-0000-000000000001"));

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => factory.CreateBlobServiceClient());

        // Assert
        Assert.Contains("__blobServiceUri", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyRetryPolicy_AnyClientOptions_IsExponentialWithBoundedRetries()
    {
        // Arrange
        var options = new TableClientOptions();

        // Act
        StorageClientFactory.ApplyRetryPolicy(options);

        // Assert
        Assert.Equal(RetryMode.Exponential, options.Retry.Mode);
        Assert.Equal(5, options.Retry.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Retry.Delay);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Retry.MaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Retry.NetworkTimeout);
    }

    [Fact]
    public async Task CreateTableClient_StorageDown_RetriesWithTheConfiguredPolicyThenThrows()
    {
        // Arrange: the client the factory builds carries the policy (asserted on its own options), and a transport whose
        // every try fails at connect; only the delays are shortened, so the test does not wait out the real backoff.
        var factory = Create((PipelineNames.StorageConnection, Azurite));
        var refused = new RefusingHandler();
        RetryOptions? applied = null;
        var table = factory.CreateTableClient(PipelineNames.ResultsTable, options =>
        {
            applied = options.Retry;
            Assert.Equal(RetryMode.Exponential, options.Retry.Mode);
            Assert.Equal(5, options.Retry.MaxRetries);
            Assert.Equal(TimeSpan.FromMilliseconds(500), options.Retry.Delay);
            Assert.Equal(TimeSpan.FromSeconds(10), options.Retry.MaxDelay);
            options.Retry.Delay = options.Retry.MaxDelay = TimeSpan.FromMilliseconds(1);
            options.Transport = new Azure.Core.Pipeline.HttpClientTransport(new HttpClient(refused));
        });

        // Act
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => table.UpsertEntityAsync(new TableEntity("p", "r")));

        // Assert: one try and 5 retries, then an exception the queue trigger turns into a retry and finally a poison message.
        Assert.NotNull(applied);
        Assert.Equal(6, refused.Calls);
        Assert.Equal(6, Assert.IsType<AggregateException>(ex).InnerExceptions.Count);
    }

    private sealed class RefusingHandler : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            throw new HttpRequestException("Connection refused (127.0.0.1:1)", new System.Net.Sockets.SocketException(111));
        }
    }

    [Fact]
    public void ApplyDiagnostics_Default_TurnsOffTheSdksPerRequestLoggingAndTracing()
    {
        // Arrange
        var factory = Create((PipelineNames.StorageConnection, Azurite));
        var options = new TableClientOptions();

        // Act
        factory.ApplyDiagnostics(options);

        // Assert: the SDK's own default is on for both, which costs every request its event formatting.
        Assert.False(options.Diagnostics.IsLoggingEnabled);
        Assert.False(options.Diagnostics.IsDistributedTracingEnabled);
    }

    [Fact]
    public void ApplyDiagnostics_SettingTrue_TurnsThemBackOn()
    {
        // Arrange
        var factory = Create((PipelineNames.StorageConnection, Azurite), (StorageClientFactory.SdkDiagnosticsSetting, "true"));
        var options = new TableClientOptions();

        // Act
        factory.ApplyDiagnostics(options);

        // Assert
        Assert.True(options.Diagnostics.IsLoggingEnabled);
        Assert.True(options.Diagnostics.IsDistributedTracingEnabled);
    }
}
