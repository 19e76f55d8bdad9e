using System.Globalization;
using System.Text.Json;
using CarClassifier.Cli.Commands.Results;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Text;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Poison;

/// <summary>How the poison commands print messages: a block per message that fits any terminal width, or JSON.</summary>
internal static class PoisonOutput
{
    public static void Print(IReadOnlyList<PoisonMessage> messages) => Print(messages.Select(m => new PoisonListing(m, "")).ToList());

    public static void Print(IReadOnlyList<PoisonListing> listings)
    {
        ArgumentNullException.ThrowIfNull(listings);

        // Not a table: a message id is 36 characters and a reason a sentence; as table cells at 80 columns they wrapped
        // into a word per line. One block per message, each line cut to the terminal.
        var width = Math.Max(40, AnsiConsole.Profile.Width) - 2;
        foreach (var (m, reason) in listings)
        {
            var at = m.InsertedOn?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "?";
            AnsiConsole.MarkupLineInterpolated($"[bold]{m.MessageId}[/] [grey]{ResultViewTable.Fit($"{m.Queue}, {m.DequeueCount} deliveries, poisoned {at} UTC", Math.Max(5, width - m.MessageId.Length - 1))}[/]");
            AnsiConsole.MarkupLineInterpolated($"  blob: {ResultViewTable.Fit(VisibleText.Escape(m.BlobPath ?? "(unreadable body)"), width - 8, fromStart: true)}");
            if (reason.Length > 0) AnsiConsole.MarkupLineInterpolated($"  why:  [yellow]{ResultViewTable.Fit(VisibleText.Escape(reason), width - 8)}[/]");
        }
    }

    public static void WriteJson(TextWriter writer, IReadOnlyList<PoisonListing> listings)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var flat = listings.Select(l => new
        {
            l.Message.Queue,
            l.Message.MessageId,
            l.Message.DequeueCount,
            l.Message.InsertedOn,
            l.Message.BlobPath,
            l.Reason,
            l.Message.Body,
        });
        writer.WriteLine(JsonSerializer.Serialize(flat, ResultsJson.Options));
        writer.Flush();
    }
}
