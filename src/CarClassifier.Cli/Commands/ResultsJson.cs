using System.Text.Json;
using CarClassifier.Core.Results;

namespace CarClassifier.Cli.Commands;

/// <summary>Result views as an indented JSON array, in the same shape the HTTP API returns.</summary>
internal static class ResultsJson
{
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Write(TextWriter writer, IReadOnlyList<ResultView> rows)
    {
        writer.Write(JsonSerializer.Serialize(rows, Options));
        writer.Write('\n');
        writer.Flush();
    }
}
