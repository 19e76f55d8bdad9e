using System.Text.Json;
using CarClassifier.Core.Results;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>Result views as an indented JSON array, in the same shape the HTTP API returns.</summary>
internal static class ResultsJson
{
    // Relaxed escaping: this is a terminal or a file, never HTML, and "\u0022" in every ETag helps nobody.
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Lines = new(Options) { WriteIndented = false };

    /// <summary>JSON Lines: one compact object per row, so a stream of rows can be read line by line (jq, Spark).</summary>
    public static void WriteLines(TextWriter writer, IEnumerable<ResultView> rows)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var row in rows)
        {
            writer.Write(JsonSerializer.Serialize(row, Lines));
            writer.Write('\n');
        }

        writer.Flush();
    }

    public static void Write(TextWriter writer, IReadOnlyList<ResultView> rows)
    {
        writer.Write(JsonSerializer.Serialize(rows, Options));
        writer.Write('\n');
        writer.Flush();
    }
}
