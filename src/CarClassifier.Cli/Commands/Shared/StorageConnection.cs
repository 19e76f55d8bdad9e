using Azure;
using CarClassifier.Core.Configuration;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Checks that the storage the command's clients point at answers, and explains in plain words when it does not.</summary>
public sealed class StorageConnection(StorageClientFactory storage)
{
    /// <summary>Checks storage answers (creating the container, queues and table if missing); false when unreachable, after saying so.</summary>
    public async Task<bool> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            probe.CancelAfter(TimeSpan.FromSeconds(15));
            await StorageBootstrapper.EnsureAsync(storage, probe.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsStorageProblem(ex))
        {
            Explain(ex);
            return false;
        }
    }

    public static bool IsStorageProblem(Exception ex) =>
        ex is RequestFailedException or OperationCanceledException or AggregateException or HttpRequestException or FormatException or InvalidOperationException;

    public static void Explain(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        AnsiConsole.MarkupLine("[red]Storage is not reachable.[/] Start Azurite with [bold]scripts/azurite.sh start[/] (or pass --connection).");
        AnsiConsole.MarkupLineInterpolated($"[grey]{ex.Message.Split('\n')[0]}[/]");
    }
}
