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
            // WebJobs' function-result entries can format to null (seen on a cancelled invocation during shutdown, which
            // then took the whole process down): a log line is never worth an unhandled exception.
            try
            {
                CliLog.Write(logLevel, category, formatter(state, exception) ?? "", exception);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The console or the log file went away while the command was ending.
            }
        }
    }
}
