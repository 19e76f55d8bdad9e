using System.Text.Json;
using CarClassifier.Core.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands;

/// <summary>Lists the messages in the classify poison queue and the WebJobs blob-trigger poison queue, leaving them in place.</summary>
public sealed class PoisonListCommand : AsyncCommand<PoisonListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, PoisonListSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var services = PoisonQueueAccess.Create(settings);
        IReadOnlyList<PoisonMessage> messages;
        try
        {
            messages = await services.GetRequiredService<PoisonQueues>().ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PoisonQueueAccess.IsStorageProblem(ex))
        {
            return PoisonQueueAccess.ExplainStorageProblem(ex);
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

        PoisonQueueAccess.Print(messages);
        AnsiConsole.MarkupLineInterpolated($"{messages.Count} poison message(s). Fix the cause (see the host's log for each failure), then run [bold]carclass poison replay --all[/] or [bold]--id <ID>[/].");
        return ExitCodes.Success;
    }
}
