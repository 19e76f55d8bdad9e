using Azure;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CarClassifier.Cli.Commands;

/// <summary>Builds <see cref="PoisonQueues"/> from the command line's connection, without starting a host or loading a model.</summary>
internal static class PoisonQueueAccess
{
    public static ServiceProvider Create(StorageSettings settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = settings.ResolveConnection() })
            .Build();
        return new ServiceCollection().AddLogging().AddCarClassifier(configuration).BuildServiceProvider();
    }

    public static bool IsStorageProblem(Exception ex) => ex is RequestFailedException or AggregateException or HttpRequestException;

    public static int ExplainStorageProblem(Exception ex)
    {
        AnsiConsole.MarkupLine("[red]Storage is not reachable.[/] Start Azurite with [bold]scripts/azurite.sh start[/] (or pass --connection).");
        AnsiConsole.MarkupLineInterpolated($"[grey]{ex.Message.Split('\n')[0]}[/]");
        return ExitCodes.StorageUnavailable;
    }

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
                Markup.Escape(m.BlobPath ?? "(unreadable body)"));
        }

        AnsiConsole.Write(table);
    }
}
