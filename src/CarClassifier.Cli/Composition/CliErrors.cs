using CarClassifier.Cli.Output;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Composition;

/// <summary>
/// Turns what escapes a command into one line and an exit code: mistakes on the command line (unknown options or
/// commands, values that do not convert, failed validation, a malformed connection) exit with <see cref="ExitCodes.Usage"/>,
/// like az; anything else is a bug and is shown in full with <see cref="ExitCodes.Internal"/>.
/// </summary>
internal static class CliErrors
{
    public static int Handle(Exception ex, ITypeResolver? resolver) => Handle(ex, resolver, CancellationToken.None);

    /// <param name="cancellationToken">The command's token: an operation cancelled by it is Ctrl+C, not a failure.</param>
    /// <param name="args">The command line (null: unknown), to name the option of a value that did not convert.</param>
    public static int Handle(Exception ex, ITypeResolver? resolver, CancellationToken cancellationToken, IReadOnlyList<string>? args = null)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (cancellationToken.IsCancellationRequested && Find<OperationCanceledException>(ex) is not null)
        {
            // Ctrl+C while a command had no more specific words for it: no stack trace, the shell's exit code.
            CliConsole.Error.MarkupLine("[yellow]Stopped.[/]");
            return ExitCodes.Cancelled;
        }

        // Before storage: a Service Bus failure wraps the same socket errors.
        if (Find<Azure.Messaging.ServiceBus.ServiceBusException>(ex) is { } serviceBus)
        {
            // Classifier__Transport=ServiceBus (poison list/replay): the namespace in $ServiceBusConnection did not answer or refused.
            CliConsole.Error.MarkupLineInterpolated($"[red]Service Bus is not reachable[/] ({serviceBus.Reason}). Check $ServiceBusConnection (or its __fullyQualifiedNamespace) and the Data Sender/Receiver roles.");
            return ExitCodes.StorageUnavailable;
        }

        if (StorageErrors.IsStorageProblem(ex) && resolver?.Resolve(typeof(StorageClientFactory)) is StorageClientFactory storage)
        {
            // A storage call that failed after the start-up probe (storage went away, or a permission is missing).
            StorageConnection.Explain(ex, storage.CreateBlobServiceClient().Uri);
            return ExitCodes.StorageUnavailable;
        }

        if (Find<UsageException>(ex) is { } usage)
        {
            return Usage(usage.Message);
        }

        if (ex is CommandParseException or CommandRuntimeException)
        {
            return Usage(ConversionMessage.Rewrite(ex.Message, args));
        }

        CliConsole.Error.WriteException(ex, ExceptionFormats.ShortenEverything);
        return ExitCodes.Internal;
    }

    private static int Usage(string message)
    {
        CliConsole.Error.MarkupLineInterpolated($"[red]Error:[/] {message.Split('\n')[0]} See 'carclass --help'.");
        return ExitCodes.Usage;
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        // Spectre wraps what a resolver or interceptor throws while it creates the command.
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found) return found;
        }

        return null;
    }
}
