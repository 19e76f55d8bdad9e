using Microsoft.Extensions.Logging;

namespace CarClassifier.Core.Ingest;

/// <summary>
/// The ingest function's per-image log line, at Debug (see <see cref="Classification.ClassifierLog"/> for why and
/// how to turn it back on). Source-generated: nothing is formatted or allocated while Debug is off.
/// </summary>
internal static partial class IngestLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Enqueued {BlobPath} ({SizeBytes} bytes, correlation {CorrelationId})")]
    public static partial void Enqueued(ILogger logger, string blobPath, long sizeBytes, string correlationId);
}
