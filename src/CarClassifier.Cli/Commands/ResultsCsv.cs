using System.Globalization;
using System.Text;
using CarClassifier.Core.Results;

namespace CarClassifier.Cli.Commands;

/// <summary>RFC 4180 CSV of result views: one header row, fields quoted when they hold a comma, quote or line break.</summary>
internal static class ResultsCsv
{
    private static readonly string[] Header =
    [
        "blob_name", "status", "vehicle_type", "vehicle_probability", "label", "probability", "top5", "error_kind", "error",
        "model", "batch_size", "queue_wait_ms", "decode_ms", "inference_ms", "processed_at", "blob_size_bytes", "correlation_id",
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
                r.BlobName, r.Status, r.VehicleType ?? "", Number(r.VehicleProbability), r.Label ?? "", Number(r.Probability), top,
                r.ErrorKind ?? "", r.Error ?? "", r.Model ?? "", r.BatchSize.ToString(CultureInfo.InvariantCulture),
                Number(r.QueueWaitMs), Number(r.DecodeMs), Number(r.InferenceMs),
                r.ProcessedAt.ToString("O", CultureInfo.InvariantCulture), r.BlobSizeBytes.ToString(CultureInfo.InvariantCulture), r.CorrelationId ?? "",
            ];
            writer.Write(string.Join(',', fields.Select(Quote)));
            writer.Write("\r\n");
        }

        writer.Flush();
    }

    private static string Number(double? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "";

    internal static string Quote(string field)
    {
        if (field.IndexOfAny([',', '"', '\r', '\n']) < 0) return field;
        var builder = new StringBuilder(field.Length + 2).Append('"');
        builder.Append(field.Replace("\"", "\"\"", StringComparison.Ordinal));
        return builder.Append('"').ToString();
    }
}
