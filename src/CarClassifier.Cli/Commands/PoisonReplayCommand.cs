using CarClassifier.Core.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands;

/// <summary>
/// Sends poison messages back for another try once their cause is fixed: classify requests go back on the work queue,
/// blob-trigger failures are ingested again. A running host picks them up; rows are upserts, so a replay never duplicates.
/// </summary>
public sealed class PoisonReplayCommand : AsyncCommand<PoisonReplaySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PoisonReplaySettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.SelectsMessages)
        {
            AnsiConsole.MarkupLine("[red]Pass either --all or one or more --id <MESSAGE_ID>[/] (see [bold]carclass poison list[/]).");
            return ExitCodes.Usage;
        }

        var ids = settings.Ids.ToHashSet(StringComparer.Ordinal);
        await using var services = PoisonQueueAccess.Create(settings);
        IReadOnlyList<PoisonMessage> replayed;
        try
        {
            replayed = await services.GetRequiredService<PoisonQueues>()
                .ReplayAsync(m => settings.All || ids.Contains(m.MessageId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PoisonQueueAccess.IsStorageProblem(ex))
        {
            return PoisonQueueAccess.ExplainStorageProblem(ex);
        }

        if (replayed.Count > 0) PoisonQueueAccess.Print(replayed);
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
