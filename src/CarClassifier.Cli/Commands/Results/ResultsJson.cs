using System.Text.Json;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core.Results;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>Result views as an indented JSON array, in the same shape the HTTP API returns.</summary>
internal static class ResultsJson
{
    // Relaxed escaping: this is a terminal or a file, never HTML, and "\u0022" in every ETag helps nobody.
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(TextWriter writer, IReadOnlyList<ResultView> rows)
    {
        writer.Write(JsonSerializer.Serialize(rows, Options));
        writer.Write('\n');
        writer.Flush();
    }
}
