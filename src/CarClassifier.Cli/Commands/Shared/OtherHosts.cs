using Azure;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Models;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>
/// Before a local host starts consuming the queue: refuses when another live host classifies with a different model
/// (it would take some of the images and label them with its model), and says so when one with the same model shares the work.
/// </summary>
internal static class OtherHosts
{
    /// <returns>True (after explaining) when another host uses a different model.</returns>
    public static async Task<bool> ConflictAsync(StorageClientFactory storage, ModelManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        IReadOnlyList<HostRegistry.LiveHost> hosts;
        try
        {
            // Storage that is down or slow is the host's own problem to report and wait out; this check must not add to it.
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quick.CancelAfter(TimeSpan.FromSeconds(5));
            hosts = await HostRegistry.ListLiveAsync(storage, quick.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is RequestFailedException or AggregateException or HttpRequestException or OperationCanceledException)
        {
            return false;
        }
        var others = hosts.Where(h => h.Model != manifest.Identity).ToList();
        if (others.Count == 0)
        {
            if (hosts.Count > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]{hosts.Count} other host(s) with {manifest.Identity} are running; they share the work.[/]");
            }

            return false;
        }

        AnsiConsole.MarkupLineInterpolated($"[red]Another carclass host is consuming the queue with a different model[/] ({others[0].Describe()}).");
        AnsiConsole.MarkupLineInterpolated($"It would classify some of the images with its model instead of {manifest.Identity}. Stop it (Ctrl+C where it runs), then try again.");
        return true;
    }

    /// <summary>"12 with a@1, 4 with b@1" when rows came from more than one model; null when one model (or none) made them.</summary>
    public static string? RowsPerModel(IEnumerable<string?> models)
    {
        var groups = models.Where(m => !string.IsNullOrEmpty(m)).GroupBy(m => m!, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ToList();
        return groups.Count > 1 ? string.Join(", ", groups.Select(g => $"{g.Count()} with {g.Key}")) : null;
    }
}
