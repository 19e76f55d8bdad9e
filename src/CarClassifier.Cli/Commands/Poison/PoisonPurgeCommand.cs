using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Messaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>
/// Deletes poison messages for good, after a confirmation (or --yes): for messages whose blob was deleted or will never
/// classify. Their blobs and result rows stay; <c>poison replay</c> is the way to try them again instead.
/// </summary>
public sealed class PoisonPurgeCommand(StorageConnection connection, PoisonQueues poison) : AsyncCommand<PoisonPurgeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PoisonPurgeSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Yes && !AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.MarkupLine("[red]Purging deletes messages for good: confirm with --yes[/] (no terminal to ask on).");
            return ExitCodes.Usage;
        }

        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        var ids = settings.Ids.ToHashSet(StringComparer.Ordinal);
        if (!settings.Yes)
        {
            var what = settings.All ? "every message in both poison queues" : $"{ids.Count} poison message(s)";
            if (!await AnsiConsole.ConfirmAsync($"Delete {what} for good?", defaultValue: false, cancellationToken).ConfigureAwait(false))
            {
                AnsiConsole.MarkupLine("Nothing deleted.");
                return ExitCodes.Success;
            }
        }

        var purged = await poison.PurgeAsync(m => settings.All || ids.Contains(m.MessageId), cancellationToken).ConfigureAwait(false);
        AnsiConsole.MarkupLineInterpolated($"Deleted {purged.Count} poison message(s).");
        var missing = ids.Except(purged.Select(m => m.MessageId), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Not found in either poison queue:[/] {string.Join(", ", missing)}");
            return ExitCodes.NotFound;
        }

        return ExitCodes.Success;
    }
}
