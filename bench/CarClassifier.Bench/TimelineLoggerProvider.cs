using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Bench;

/// <summary>
/// Records when the host logged (at Debug, which the bench turns on for the CarClassifier categories) "Enqueued {BlobPath}" (ImageIngestor, after the claim check is on the queue) and
/// "Classified/Failed {BlobPath}" (ImageClassifier, after the row is upserted), per blob: queue-to-row latency
/// measured inside the host with one clock, without changing what the pipeline writes.
/// </summary>
internal sealed class TimelineLoggerProvider : ILoggerProvider
{
    public ConcurrentDictionary<string, long> Enqueued { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, long> RowWritten { get; } = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Recorder(TimelineLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values) return;
            string? template = null;
            string? blobPath = null;
            foreach (var (key, value) in values)
            {
                if (key == "{OriginalFormat}") template = value as string;
                else if (key == "BlobPath") blobPath = value as string;
            }

            if (template is null || blobPath is null) return;
            var now = Stopwatch.GetTimestamp();
            if (category.EndsWith("ImageIngestor", StringComparison.Ordinal) && template.StartsWith("Enqueued", StringComparison.Ordinal))
            {
                owner.Enqueued.TryAdd(blobPath, now);
            }
            else if (category.EndsWith("ImageClassifier", StringComparison.Ordinal))
            {
                owner.RowWritten.TryAdd(blobPath, now);
            }
        }
    }
}
