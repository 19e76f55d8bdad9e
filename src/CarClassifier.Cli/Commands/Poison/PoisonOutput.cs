using Azure;
using Azure.Messaging.ServiceBus;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>How the poison commands explain storage failures and print messages.</summary>
internal static class PoisonOutput
{
    public static bool IsStorageProblem(Exception ex) =>
        ex is RequestFailedException or AggregateException or HttpRequestException or ServiceBusException or UnauthorizedAccessException;

    public static int ExplainStorageProblem(Exception ex)
    {
        if (ex is ServiceBusException or UnauthorizedAccessException)
        {
            // Classifier__Transport=ServiceBus: the dead-letter queue is read with the ServiceBusConnection settings.
            AnsiConsole.MarkupLine("[red]Service Bus is not reachable[/] (or refused access). Check $ServiceBusConnection (or its __fullyQualifiedNamespace) and your Data Receiver and Sender roles.");
            AnsiConsole.MarkupLineInterpolated($"[grey]{ex.Message.Split('\n')[0]}[/]");
            return ExitCodes.StorageUnavailable;
        }

        AnsiConsole.MarkupLine("[red]Storage is not reachable.[/] Start Azurite with [bold]scripts/azurite.sh start[/] (or pass --connection).");
        AnsiConsole.MarkupLineInterpolated($"[grey]{ex.Message.Split('\n')[0]}[/]");
        return ExitCodes.StorageUnavailable;
    }

    public static void Print(IReadOnlyList<PoisonMessage> messages)
    {
        var table = new Table().AddColumns("Queue", "Id", "Dequeued", "Poisoned at (UTC)", "Blob");

        // Only Service Bus dead letters keep a reason; the storage poison queues have none to show.
        var reasons = messages.Any(m => m.Reason is not null);
        if (reasons) table.AddColumn("Reason");
        foreach (var m in messages)
        {
            var cells = new List<string>
            {
                Markup.Escape(m.Queue),
                Markup.Escape(m.MessageId),
                m.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                m.InsertedOn?.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(VisibleText.Escape(m.BlobPath ?? "(unreadable body)")),
            };
            if (reasons) cells.Add(Markup.Escape(VisibleText.Escape(m.Reason ?? "")));
            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
    }
}
