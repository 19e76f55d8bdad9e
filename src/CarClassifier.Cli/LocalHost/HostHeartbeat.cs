using Azure;
using Azure.Data.Tables;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// Announces a running local host and the model it classifies with, every few seconds, in a small table: a second
/// <c>carclass run</c> or <c>host</c> with another model would otherwise share the queue and label some images with
/// the wrong model. The row is deleted on a clean stop; a crashed host's row goes stale after <see cref="HostRegistry.Freshness"/>.
/// </summary>
internal sealed partial class HostHeartbeat(StorageClientFactory storage, IOptions<ClassifierOptions> options, ILogger<HostHeartbeat> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Added by the <c>run</c> and <c>host</c> commands (not by <see cref="LocalHostBuilder"/>): the table is a local
    /// convenience that Azure never sees, so it stays out of the pipeline host that tests hold to infra/storage-use.json.
    /// </summary>
    public static void Register(IServiceCollection services) => services.AddHostedService<HostHeartbeat>();

    private readonly string _rowKey = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..^24];

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await HostRegistry.Table(storage).DeleteEntityAsync(HostRegistry.Partition, _rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // It goes stale on its own.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var manifest = await ModelManifest.LoadAsync(ModelRuntime.ResolvePath(options.Value.ModelManifest), stoppingToken).ConfigureAwait(false);
        var table = HostRegistry.Table(storage);
        var entity = new TableEntity(HostRegistry.Partition, _rowKey)
        {
            [nameof(HostRegistry.LiveHost.Model)] = manifest.Identity,
            [nameof(HostRegistry.LiveHost.Machine)] = Environment.MachineName,
            [nameof(HostRegistry.LiveHost.ProcessId)] = Environment.ProcessId,
        };
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await table.CreateIfNotExistsAsync(stoppingToken).ConfigureAwait(false);
                await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, stoppingToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex)
            {
                LogHeartbeatFailed(logger, ex.Status, ex.ErrorCode);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Host heartbeat not written ({Status} {ErrorCode}); retrying")]
    private static partial void LogHeartbeatFailed(ILogger logger, int status, string? errorCode);
}
