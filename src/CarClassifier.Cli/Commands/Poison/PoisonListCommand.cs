using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>Lists the messages in the classify poison queue and the WebJobs blob-trigger poison queue, with why each failed, leaving them in place (peeked).</summary>
public sealed class PoisonListCommand(StorageConnection connection, PoisonQueues poison, ResultStore results) : AsyncCommand<PoisonListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PoisonListSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        var messages = await poison.ListAsync(cancellationToken).ConfigureAwait(false);
        var listings = await PoisonReasons.DescribeAsync(results, messages, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            PoisonOutput.WriteJson(RawOutput.Writer, listings);
            return ExitCodes.Success;
        }

        if (messages.Count == 0)
        {
            AnsiConsole.MarkupLine("No poison messages.");
            return ExitCodes.Success;
        }

        PoisonOutput.Print(listings);
        foreach (var full in messages.GroupBy(m => m.Queue).Where(g => g.Count() >= PoisonQueues.PeekLimit))
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]{full.Key}: showing the first {PoisonQueues.PeekLimit}[/] (a queue can be peeked only {PoisonQueues.PeekLimit} deep); replay or purge them to see the rest.");
        }

        AnsiConsole.MarkupLineInterpolated($"{messages.Count} poison message(s). Fix the cause, then run [bold]carclass poison replay --all[/] or [bold]--id <ID>[/]; [bold]carclass poison purge[/] drops them.");
        return ExitCodes.Success;
    }
}
