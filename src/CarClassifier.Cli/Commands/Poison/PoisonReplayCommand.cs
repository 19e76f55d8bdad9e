using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Messaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>
/// Sends poison messages back for another try once their cause is fixed: classify requests go back on the work queue,
/// blob-trigger failures are ingested again. A running host picks them up; rows are upserts, so a replay never duplicates.
/// </summary>
public sealed class PoisonReplayCommand(StorageConnection connection, PoisonQueues poison) : AsyncCommand<PoisonReplaySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PoisonReplaySettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        var ids = settings.Ids.ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<PoisonMessage> replayed;
        try
        {
            replayed = await poison.ReplayAsync(m => settings.All || ids.Contains(m.MessageId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageErrors.IsStorageProblem(ex))
        {
            StorageConnection.Explain(ex, connection.Endpoint);
            return ExitCodes.StorageUnavailable;
        }

        if (replayed.Count > 0) PoisonOutput.Print(replayed);
        AnsiConsole.MarkupLineInterpolated($"Replayed {replayed.Count} message(s).");
        var missing = ids.Except(replayed.Select(m => m.MessageId), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Not found (or not replayable) in either poison queue:[/] {string.Join(", ", missing)}");
            return ExitCodes.NotFound;
        }

        return ExitCodes.Success;
    }
}
