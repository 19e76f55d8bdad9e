using Azure.Storage.Blobs;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core.Configuration;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Watch;

/// <summary>
/// What <c>watch</c> says once, after its first poll, instead of spinning at 0 % forever: that the prefix holds no
/// blobs (and which prefixes do), or that no classifier is running to consume the queue.
/// </summary>
internal static class WatchHints
{
    public static async Task FirstPollAsync(StorageClientFactory storage, BlobContainerClient container, string prefix, WatchProgress first, CancellationToken cancellationToken)
    {
        if (first.Uploaded == 0)
        {
            var (batches, _) = await BatchPrefixes.ListAsync(container, cancellationToken).ConfigureAwait(false);
            AnsiConsole.MarkupLineInterpolated($"[yellow]No blobs under '{prefix}' yet[/] (waiting for an upload). {BatchPrefixes.Suggest(batches)}");
            return;
        }

        if (first.Complete) return;

        // The local hosts write a heartbeat; the Functions app in Azure does not, hence the second suggestion.
        var hosts = await HostRegistry.ListLiveAsync(storage, cancellationToken).ConfigureAwait(false);
        if (hosts.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[yellow]No classifier is running:[/] no carclass host has sent a heartbeat in the last {HostRegistry.Freshness.TotalSeconds:F0} s, so nothing local is consuming the queue ({first.Uploaded - first.Done} images waiting). Start one with carclass host --model <MODEL>, or check the deployed Functions app.");
        }
    }
}
