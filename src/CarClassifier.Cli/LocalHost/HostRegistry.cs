using Azure;
using Azure.Data.Tables;
using CarClassifier.Core.Configuration;

namespace CarClassifier.Cli.LocalHost;

/// <summary>Reads the local hosts' heartbeats (<see cref="HostHeartbeat"/>): which hosts consume the queue now, with which model.</summary>
internal static class HostRegistry
{
    /// <summary>A local-only table (the Functions app in Azure has no heartbeat); not in PipelineNames for that reason.</summary>
    public const string TableName = "carclasshosts";

    public const string Partition = "host";

    /// <summary>A heartbeat older than this is a host that died without deleting its row.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(20);

    public static TableClient Table(StorageClientFactory storage) => storage.CreateTableClient(TableName);

    /// <summary>The hosts seen within <see cref="Freshness"/>; none when the table does not exist yet.</summary>
    public static async Task<IReadOnlyList<LiveHost>> ListLiveAsync(StorageClientFactory storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var live = new List<LiveHost>();
        var now = DateTimeOffset.UtcNow;
        try
        {
            await foreach (var entity in Table(storage).QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                // The service's Timestamp, so clocks of other machines do not matter.
                var age = now - (entity.Timestamp ?? DateTimeOffset.MinValue);
                if (age > Freshness) continue;
                live.Add(new LiveHost(
                    entity.GetString(nameof(LiveHost.Model)) ?? "?",
                    entity.GetString(nameof(LiveHost.Machine)) ?? "?",
                    entity.GetInt32(nameof(LiveHost.ProcessId)) ?? 0,
                    age < TimeSpan.Zero ? TimeSpan.Zero : age));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No host ever ran against this account.
        }

        return live;
    }

    /// <summary>One running host.</summary>
    public sealed record LiveHost(string Model, string Machine, int ProcessId, TimeSpan SeenAgo)
    {
        public string Describe() => $"pid {ProcessId} on {Machine}, model {Model}, seen {SeenAgo.TotalSeconds:F0} s ago";
    }
}
