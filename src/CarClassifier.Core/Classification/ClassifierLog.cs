using Microsoft.Extensions.Logging;

namespace CarClassifier.Core.Classification;

/// <summary>
/// The classifier's per-image log line, at Debug: one Information line per image cost more CPU than the rest of the
/// plumbing on a busy host (docs/PERFORMANCE.md). Source-generated, so when Debug is off nothing is formatted, boxed
/// or allocated. Turn it back on with the log level of the <c>CarClassifier</c> category
/// (<c>Logging__LogLevel__CarClassifier=Debug</c> for the local host, host.json's logging.logLevel in Azure).
/// </summary>
internal static partial class ClassifierLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug,
        Message = "Classified {BlobPath} as {Label} ({Probability:P1}) in a batch of {BatchSize} (correlation {CorrelationId})")]
    public static partial void Classified(ILogger logger, string blobPath, string? label, double? probability, int batchSize, string? correlationId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Kept no row for {BlobPath} version {ETag}: the blob was overwritten or deleted while it was classified; the newer version's row stands (correlation {CorrelationId})")]
    public static partial void Superseded(ILogger logger, string blobPath, string? eTag, string? correlationId);
}
