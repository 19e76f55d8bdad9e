namespace CarClassifier.Core.Ingest;

/// <summary>What ingest did with a blob.</summary>
public enum IngestOutcome
{
    /// <summary>A claim check was sent to the work queue.</summary>
    Enqueued,

    /// <summary>A Failed row was written; nothing was enqueued.</summary>
    Rejected,

    /// <summary>The blob version already has its row (same ETag and model); nothing was enqueued.</summary>
    AlreadyClassified,

    /// <summary>The blob changed since this version was seen: nothing was written or enqueued (the newer version is ingested on its own).</summary>
    Superseded,
}
