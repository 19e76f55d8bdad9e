using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CarClassifier.Core.Telemetry;

/// <summary>
/// The pipeline's traces and metrics, on the plain System.Diagnostics APIs so Core needs no exporter:
/// hosts subscribe with OpenTelemetry (<see cref="Name"/> for both the source and the meter).
/// One trace per image: ingest starts it and passes its W3C traceparent in the queue message, classify continues it.
/// </summary>
public static class PipelineTelemetry
{
    public const string Name = "CarClassifier.Pipeline";

    public const string IngestActivity = "ingest";

    public const string ClassifyActivity = "classify";

    /// <summary>Tag on every activity and failure metric: joins logs, rows and traces of one image.</summary>
    public const string CorrelationIdTag = "carclass.correlation_id";

    public const string BlobPathTag = "carclass.blob_path";

    public const string ErrorKindTag = "carclass.error_kind";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> ImagesClassified = Meter.CreateCounter<long>("images.classified", "{image}", "Images classified successfully.");

    public static readonly Counter<long> ImagesFailed = Meter.CreateCounter<long>("images.failed", "{image}", "Images that got a Failed row (by error kind).");

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("batch.size", "{image}", "Images per ONNX Run.");

    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>("queue.wait", "ms", "From enqueue at ingest to the start of classification.");

    public static readonly Histogram<double> ProbeDuration = Meter.CreateHistogram<double>("probe.duration", "ms", "Header probe of one image (format, size, metadata walk).");

    public static readonly Histogram<double> DecodeDuration = Meter.CreateHistogram<double>("decode.duration", "ms", "Decode and preprocess of one image.");

    public static readonly Histogram<double> InferenceDuration = Meter.CreateHistogram<double>("inference.duration", "ms", "Wall time of one ONNX Run (one batch).");

    /// <summary>The W3C traceparent of <paramref name="activity"/> (or of the current activity), null when there is none.</summary>
    public static string? TraceParentOf(Activity? activity)
    {
        activity ??= Activity.Current;
        return activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;
    }

    /// <summary>Parses a traceparent carried in a message; default when absent or malformed (classify then starts a new trace).</summary>
    public static ActivityContext ParentFrom(string? traceParent) =>
        !string.IsNullOrEmpty(traceParent) && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
