using Azure;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Configuration;

/// <summary>
/// Creates the images container, work and poison queues and results table when
/// <see cref="ClassifierOptions.CreateStorageResources"/> is on (local runs against Azurite).
/// In Azure the identities have data-plane rights only and Bicep creates these resources.
/// </summary>
public sealed class StorageBootstrapper : IHostedService
{
    private readonly StorageClientFactory _factory;
    private readonly ClassifierOptions _options;

    public StorageBootstrapper(StorageClientFactory factory, IOptions<ClassifierOptions> options)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        _factory = factory;
        _options = options.Value;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.CreateStorageResources) return;
        await EnsureAsync(_factory, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Creates every storage resource the pipeline uses, if missing.</summary>
    public static async Task EnsureAsync(StorageClientFactory factory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        await IgnoreConflictAsync(() => factory.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
        await IgnoreConflictAsync(() => factory.CreateQueueClient(PipelineNames.WorkQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
        await IgnoreConflictAsync(() => factory.CreateQueueClient(PipelineNames.PoisonQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
        await new ResultStore(factory.CreateTableClient(PipelineNames.ResultsTable)).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task IgnoreConflictAsync(Func<Task> create)
    {
        try
        {
            await create().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Created concurrently by another host: fine.
        }
    }
}
