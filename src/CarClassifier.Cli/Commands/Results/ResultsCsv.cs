using System.Globalization;
using System.Text;
using CarClassifier.Core.Results;

namespace CarClassifier.Cli.Commands.Results;

/// <summary>RFC 4180 CSV of result views: one header row, fields quoted when they hold a comma, quote or line break.</summary>
internal static class ResultsCsv
{
    private static readonly string[] Header =
    [
        "blob_name", "status", "vehicle_type", "vehicle_probability", "label", "probability", "top5", "error_kind", "error",
        "model", "batch_size", "queue_wait_ms", "probe_ms", "decode_ms", "inference_ms", "processed_at", "blob_size_bytes", "correlation_id",
    ];

    public static void Write(TextWriter writer, IEnumerable<ResultView> rows)
    {
        writer.Write(string.Join(',', Header));
        writer.Write("\r\n");
        foreach (var r in rows)
        {
            var top = string.Join("; ", r.TopK.Select(t => $"{t.Label} {t.Probability.ToString("F4", CultureInfo.InvariantCulture)}"));
            string[] fields =
            [
                Text(r.BlobName), r.Status, r.VehicleType ?? "", Number(r.VehicleProbability), r.Label ?? "", Number(r.Probability), top,
                r.ErrorKind ?? "", Text(r.Error ?? ""), r.Model ?? "", r.BatchSize.ToString(CultureInfo.InvariantCulture),
                Number(r.QueueWaitMs), Number(r.ProbeMs), Number(r.DecodeMs), Number(r.InferenceMs),
                r.ProcessedAt.ToString("O", CultureInfo.InvariantCulture), r.BlobSizeBytes.ToString(CultureInfo.InvariantCulture), r.CorrelationId ?? "",
            ];
            writer.Write(string.Join(',', fields.Select(Quote)));
            writer.Write("\r\n");
        }

        writer.Flush();
    }

    /// <summary>
    /// Blob names and error texts come from whoever uploaded the file: a name such as <c>=HYPERLINK(...)</c> would run as a
    /// formula when the CSV is opened in a spreadsheet, so such fields get a leading apostrophe (OWASP's CSV-injection advice).
    /// </summary>
    internal static string Text(string field) =>
        field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + field : field;

    private static string Number(double? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "";

    internal static string Quote(string field)
    {
        if (field.IndexOfAny([',', '"', '\r', '\n']) < 0) return field;
        var builder = new StringBuilder(field.Length + 2).Append('"');
        builder.Append(field.Replace("\"", "\"\"", StringComparison.Ordinal));
        return builder.Append('"').ToString();
    }
}
