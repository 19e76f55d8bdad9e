using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CarClassifier.Cli.Commands.Watch;

/// <summary>Prints warnings from storage plumbing (EmulatorListingPolicy) as one yellow line each while watching.</summary>
internal sealed class ConsoleNoteLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel)) return;
        AnsiConsole.MarkupLineInterpolated($"[yellow]Note:[/] {formatter(state, exception)}");
    }
}
