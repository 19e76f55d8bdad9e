using System.Text.Json;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Messaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>Lists the messages in the classify poison queue and the WebJobs blob-trigger poison queue, leaving them in place.</summary>
public sealed class PoisonListCommand(StorageConnection connection, PoisonQueues poison) : AsyncCommand<PoisonListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PoisonListSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!await connection.OpenAsync(cancellationToken).ConfigureAwait(false)) return ExitCodes.StorageUnavailable;
        IReadOnlyList<PoisonMessage> messages;
        try
        {
            messages = await poison.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageErrors.IsStorageProblem(ex))
        {
            StorageConnection.Explain(ex, connection.Endpoint);
            return ExitCodes.StorageUnavailable;
        }

        if (settings.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(messages, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            return ExitCodes.Success;
        }

        if (messages.Count == 0)
        {
            AnsiConsole.MarkupLine("No poison messages.");
            return ExitCodes.Success;
        }

        PoisonOutput.Print(messages);
        AnsiConsole.MarkupLineInterpolated($"{messages.Count} poison message(s). Fix the cause (see the host's log for each failure), then run [bold]carclass poison replay --all[/] or [bold]--id <ID>[/].");
        return ExitCodes.Success;
    }
}
