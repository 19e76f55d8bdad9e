using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CarClassifier.Cli.Output;

/// <summary>
/// The log of one command: console lines at <see cref="ConsoleLevel"/> (written through Spectre on a terminal, so they
/// appear above a progress bar instead of tearing it; to stderr otherwise, so stdout stays the command's output) and,
/// with --log-file, every line at <see cref="FileLevel"/> to a file. Set once per command from its options.
/// </summary>
internal static class CliLog
{
    public static readonly string[] LevelNames = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    private static readonly object Gate = new();
    private static StreamWriter? _file;

    public static LogLevel ConsoleLevel { get; private set; } = LogLevel.Warning;

    public static LogLevel FileLevel { get; private set; } = LogLevel.None;

    /// <summary>The lower of the two: what a logger must produce at all.</summary>
    public static LogLevel MinimumLevel => (LogLevel)Math.Min((int)ConsoleLevel, (int)FileLevel);

    public static bool TryParseLevel(string text, out LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(text);
        var index = Array.FindIndex(LevelNames, n => n.Equals(text, StringComparison.OrdinalIgnoreCase) || (text.Length >= 4 && n.StartsWith(text, StringComparison.OrdinalIgnoreCase)));
        level = index < 0 ? LogLevel.None : (LogLevel)index;
        return index >= 0;
    }

    /// <param name="level">--log-level; null for the command's default.</param>
    /// <param name="defaultLevel">Warning for interactive commands, Information for <c>host</c>.</param>
    public static void Configure(string? level, bool quiet, string? file, LogLevel defaultLevel)
    {
        Close();
        ConsoleLevel = level is not null && TryParseLevel(level, out var parsed) ? parsed : quiet ? LogLevel.Error : defaultLevel;
        if (file is null)
        {
            FileLevel = LogLevel.None;
            return;
        }

        FileLevel = (LogLevel)Math.Min((int)LogLevel.Information, (int)ConsoleLevel);
        var full = Path.GetFullPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _file = new StreamWriter(new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    /// <summary>Sends a local host's log here: one line per entry on the console, the full entry in the file.</summary>
    /// <param name="quietHosting">Leave out Microsoft.Extensions.Hosting's own start-up failure dump (the command explains it).</param>
    public static ILoggingBuilder UseFor(ILoggingBuilder logging, bool quietHosting)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders().AddProvider(new CliLoggerProvider()).SetMinimumLevel(MinimumLevel);
        if (quietHosting) logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);

        // A failed delivery is already one line from the classifier ("... failed on delivery N: reason") and a poisoned
        // message one line from the queue processor (PoisonLineQueueProcessorFactory). WebJobs repeats each failure with
        // its 5 KB stack trace twice: "Executed 'ClassifyImages' (Failed ...)" and the Host.Results aggregate (for
        // Application Insights, empty text here). Both stay available with --log-level debug.
        if (MinimumLevel > LogLevel.Debug)
        {
            logging.AddFilter("Host.Results", LogLevel.None);
            logging.AddFilter($"Function.{Core.PipelineNames.ClassifyFunction}", LogLevel.None);
        }

        // The default poison line ("Message has reached MaxDequeueCount of 5. Moving message to queue '…'") names
        // neither the message nor why: the local host logs its own (LocalHost/PoisonLineQueueProcessorFactory).
        logging.AddFilter(typeof(Microsoft.Azure.WebJobs.Host.Queues.QueueProcessor).FullName, LogLevel.Error);

        return logging;
    }

    public static void Close()
    {
        lock (Gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    public static void Write(LogLevel level, string category, string message, Exception? exception)
    {
        // One line per entry: a failure's stack trace belongs in the file, never on the console.
        message ??= "";
        var firstLine = message.Split('\n')[0].TrimEnd('\r');
        var reason = exception is null ? "" : $" ({exception.GetType().Name}: {(exception.Message ?? "").Split('\n')[0].TrimEnd('\r')})";
        if (level >= ConsoleLevel && level != LogLevel.None)
        {
            var line = $"{Short(level)} {ShortCategory(category)}: {firstLine}{reason}";
            if (AnsiConsole.Profile.Capabilities.Interactive)
            {
                var colour = level >= LogLevel.Error ? "red" : level == LogLevel.Warning ? "yellow" : "grey";
                AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape(line)}[/]");
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }

        if (level >= FileLevel && level != LogLevel.None)
        {
            lock (Gate)
            {
                _file?.WriteLine($"{DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)} {Short(level)} {category}: {message}");
                if (exception is not null) _file?.WriteLine(exception.ToString());
            }
        }
    }

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private static string ShortCategory(string category) => category[(category.LastIndexOf('.') + 1)..];
}
