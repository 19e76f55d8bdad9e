using Azure;
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
    public static void Print(IReadOnlyList<PoisonMessage> messages)
    {
        var table = new Table().AddColumns("Queue", "Id", "Dequeued", "Poisoned at (UTC)", "Blob");
        foreach (var m in messages)
        {
            table.AddRow(
                Markup.Escape(m.Queue),
                Markup.Escape(m.MessageId),
                m.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                m.InsertedOn?.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(VisibleText.Escape(m.BlobPath ?? "(unreadable body)")));
        }

        AnsiConsole.Write(table);
    }
}
