using Azure.Storage.Blobs;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>The real local host (WebJobs triggers + Core) against the test Azurite, with the colour model.</summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _cache;
    private bool _started;

    private PipelineHost(IHost host, string cache, StorageClientFactory storage)
    {
        _host = host;
        _cache = cache;
        Storage = storage;
        Images = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        Results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
        Queue = new WorkQueue(storage.CreateQueueClient(PipelineNames.WorkQueue));
    }

    public StorageClientFactory Storage { get; }

    public BlobContainerClient Images { get; }

    public ResultStore Results { get; }

    public WorkQueue Queue { get; }

    /// <summary>
    /// Creates the storage resources and the host, without starting it: tests upload first and then
    /// start, because the WebJobs polling blob trigger can miss blobs written while its first container
    /// sweep is in flight (see docs/RELIABILITY.md); its start-up sweep always sees blobs already there.
    /// </summary>
    public static Task<PipelineHost> CreateAsync(
        AzuriteFixture azurite, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? configureServices = null) =>
        CreateAsync(azurite.ConnectionString, extra, configureServices);

    /// <inheritdoc cref="CreateAsync(AzuriteFixture, IDictionary{string, string?}?, Action{IServiceCollection}?)"/>
    public static async Task<PipelineHost> CreateAsync(
        string connectionString, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? configureServices = null)
    {
        var cache = Directory.CreateTempSubdirectory("carclass-models-").FullName;
        var settings = new Dictionary<string, string?>
        {
            [PipelineNames.StorageConnection] = connectionString,
            ["Classifier:ModelManifest"] = Path.Combine(RepoPaths.Models, "color-tiny", "manifest.json"),
            ["Classifier:ModelCacheDirectory"] = cache,
            ["Classifier:MaxBatchSize"] = "8",
            ["Classifier:MaxBatchDelayMilliseconds"] = "250",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;

        var storage = new StorageClientFactory(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        await StorageBootstrapper.EnsureAsync(storage);
        var host = LocalHostBuilder.Build(settings, configureServices: configureServices);
        return new PipelineHost(host, cache, storage);
    }

    public async Task StartAsync()
    {
        await _host.StartAsync();
        _started = true;
    }

    /// <summary>Polls point reads until every path has a row matching <paramref name="accept"/>.</summary>
    public async Task<Dictionary<string, ClassificationResult>> WaitForRowsAsync(
        IEnumerable<string> blobPaths, TimeSpan timeout, Func<ClassificationResult, bool>? accept = null)
    {
        var pending = blobPaths.ToHashSet(StringComparer.Ordinal);
        var rows = new Dictionary<string, ClassificationResult>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + timeout;
        while (pending.Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var path in pending.ToList())
            {
                var row = await Results.GetAsync(path);
                if (row is not null && (accept?.Invoke(row) ?? true))
                {
                    rows[path] = row;
                    pending.Remove(path);
                }
            }

            if (pending.Count > 0) await Task.Delay(250);
        }

        Assert.True(pending.Count == 0, $"No row after {timeout.TotalSeconds:F0} s for: {string.Join(", ", pending)}");
        return rows;
    }

    /// <summary>The host's services, e.g. to reach a hosted service directly.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Every row whose blob path starts with <paramref name="pathPrefix"/> (one query, not point reads).</summary>
    public async Task<List<ClassificationResult>> ListRowsAsync(string pathPrefix)
    {
        var rows = new List<ClassificationResult>();
        await foreach (var row in Results.ListAsync(pathPrefix)) rows.Add(row);
        return rows;
    }

    /// <summary>Polls <see cref="ListRowsAsync"/> until <paramref name="expected"/> distinct blob paths have rows.</summary>
    public async Task<List<ClassificationResult>> WaitForRowCountAsync(string pathPrefix, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        List<ClassificationResult> rows;
        do
        {
            rows = await ListRowsAsync(pathPrefix);
            if (rows.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count() >= expected) return rows;
            await Task.Delay(1000);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Only {rows.Count} of {expected} rows under {pathPrefix} after {timeout.TotalSeconds:F0} s.");
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started) await _host.StopAsync();
        _host.Dispose();
        try
        {
            Directory.Delete(_cache, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
