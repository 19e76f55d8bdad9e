using Azure;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace CarClassifier.Cli.Commands;

/// <summary>Opens storage for a command and explains in plain words when it cannot.</summary>
internal static class StorageConnection
{
    /// <summary>Creates the clients and checks storage answers (creating the container, queue and table if missing); null when unreachable, after saying so.</summary>
    public static async Task<StorageClientFactory?> OpenAsync(StorageSettings settings, CancellationToken cancellationToken)
    {
        var factory = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = settings.ResolveConnection() })
            .Build());
        try
        {
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            probe.CancelAfter(TimeSpan.FromSeconds(15));
            await StorageBootstrapper.EnsureAsync(factory, probe.Token).ConfigureAwait(false);
            return factory;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested &&
            ex is RequestFailedException or OperationCanceledException or AggregateException or HttpRequestException or FormatException or InvalidOperationException)
        {
            AnsiConsole.MarkupLine("[red]Storage is not reachable.[/] Start Azurite with [bold]scripts/azurite.sh start[/] (or pass --connection).");
            AnsiConsole.MarkupLineInterpolated($"[grey]{ex.Message.Split('\n')[0]}[/]");
            return null;
        }
    }
}
