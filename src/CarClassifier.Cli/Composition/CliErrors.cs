using CarClassifier.Cli.Commands.Shared;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Composition;

/// <summary>
/// Turns what escapes a command into one line and an exit code: mistakes on the command line exit with
/// <see cref="ExitCodes.Usage"/> (like az), anything else is a bug and is shown in full.
/// </summary>
internal static class CliErrors
{
    public static int Handle(Exception ex, ITypeResolver? resolver)
    {
        var usage = Unwrap(ex);
        if (usage is UsageException or CommandParseException or CommandConfigurationException or CommandRuntimeException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Error:[/] {usage.Message}");
            return ExitCodes.Usage;
        }

        AnsiConsole.WriteException(ex, ExceptionFormats.ShortenEverything);
        return ExitCodes.Internal;
    }

    private static Exception Unwrap(Exception ex)
    {
        // Spectre wraps what a resolver throws while creating the command.
        while (ex.InnerException is { } inner && ex is not UsageException && (ex is CommandRuntimeException or InvalidOperationException or System.Reflection.TargetInvocationException))
        {
            if (inner is UsageException) return inner;
            ex = inner;
        }

        return ex;
    }
}
