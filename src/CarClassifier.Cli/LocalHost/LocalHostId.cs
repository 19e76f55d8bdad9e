using Microsoft.Azure.WebJobs.Host.Executors;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// The local host's WebJobs host id, fixed instead of the SDK's computed hash, so that the blob receipts the trigger
/// keeps (<c>blobreceipts/{host id}/{function id}/{ETag}/{container}/{blob}</c>) can be written by
/// <see cref="UploadClaims"/> and the reconciler for blobs they hand to the ingestor themselves: the trigger's scan then
/// sees a completed receipt and skips the blob. Every local host on an account shares it, as they share the queue.
/// </summary>
internal sealed class LocalHostId : IHostIdProvider
{
    /// <summary>Lower-case letters, digits and dashes, at most 32 characters (the SDK's rule for host ids).</summary>
    public const string Value = "carclass-local";

    public Task<string> GetHostIdAsync(CancellationToken cancellationToken) => Task.FromResult(Value);
}
