using Microsoft.Extensions.Logging;

namespace CarClassifier.Cli.Output;

/// <summary>Sends every logger of the CLI and of the local host it starts to <see cref="CliLog"/>.</summary>
internal sealed class CliLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= CliLog.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel)) return;
            CliLog.Write(logLevel, category, formatter(state, exception), exception);
        }
    }
}
