using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// Applies the per-category log levels of the repo's host.json (the Functions app's logging.logLevel) to the local
/// WebJobs host, so both hosts are quiet about the same things from one file: e.g. "Function": "Warning" drops the
/// host's per-invocation "Executing"/"Executed"/"Trigger Details" lines. "default" is left to the caller, whose
/// minimum level (console at Information for <c>carclass host</c>, Warning for tests) stays the baseline.
/// </summary>
internal static class HostJsonLogLevels
{
    public static void Apply(string hostJsonPath, ILoggingBuilder logging)
    {
        if (!File.Exists(hostJsonPath)) return;
        using var document = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!document.RootElement.TryGetProperty("logging", out var section) || !section.TryGetProperty("logLevel", out var levels)) return;
        foreach (var property in levels.EnumerateObject())
        {
            if (property.Name.Equals("default", StringComparison.OrdinalIgnoreCase)) continue;
            if (!Enum.TryParse<LogLevel>(property.Value.GetString(), ignoreCase: true, out var level))
            {
                throw new InvalidDataException($"host.json: logging.logLevel.{property.Name} is '{property.Value}', not a log level.");
            }

            logging.AddFilter(property.Name, level);
        }
    }
}
