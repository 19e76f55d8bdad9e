namespace CarClassifier.Core;

/// <summary>
/// The one source of truth for the names that code, tests, local settings and Bicep share.
/// Trigger attributes need compile-time constants, so these are constants rather than options;
/// infra tests compare the Bicep defaults against them.
/// </summary>
public static class PipelineNames
{
    /// <summary>Blob container users drop images into.</summary>
    public const string ImagesContainer = "images";

    /// <summary>Work queue: one claim-check message per image.</summary>
    public const string WorkQueue = "classify-requests";

    /// <summary>Where the queue extension moves messages that failed maxDequeueCount times.</summary>
    public const string PoisonQueue = WorkQueue + "-poison";

    /// <summary>Results table: one row per blob.</summary>
    public const string ResultsTable = "classifications";

    /// <summary>Connection setting (prefix) used by the triggers and by Core's clients.</summary>
    public const string StorageConnection = "AzureWebJobsStorage";

    /// <summary>
    /// Service Bus connection setting (prefix): <c>ServiceBusConnection__fullyQualifiedNamespace</c> (+ <c>__clientId</c>) in
    /// Azure, a connection string only locally. The Service Bus queue has the same name as the work queue
    /// (<see cref="WorkQueue"/>); its dead letters live in <see cref="ServiceBusDeadLetterQueue"/>.
    /// </summary>
    public const string ServiceBusConnection = "ServiceBusConnection";

    /// <summary>The Service Bus work queue's dead-letter sub-queue (entity path).</summary>
    public const string ServiceBusDeadLetterQueue = WorkQueue + "/$DeadLetterQueue";

    /// <summary>Configuration section bound to <c>ClassifierOptions</c>.</summary>
    public const string OptionsSection = "Classifier";

    /// <summary>Function names, shared by both hosts.</summary>
    public const string IngestFunction = "IngestImage";

    public const string ClassifyFunction = "ClassifyImages";

    /// <summary>HTTP API: one blob's result (GET /api/results/{blobName}).</summary>
    public const string GetResultFunction = "GetResult";

    /// <summary>HTTP API: a page of results by prefix (GET /api/results?prefix=&amp;pageSize=&amp;continuation=).</summary>
    public const string ListResultsFunction = "ListResults";
}
