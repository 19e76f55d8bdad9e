using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CarClassifier.Core.Ingest;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// What Event Grid is to the Azure ingest app, for the local host: whoever wrote a blob (<c>carclass upload</c>,
/// <c>carclass run</c>) or found it missed (the reconciler) hands it to <see cref="ImageIngestor"/> itself, then writes
/// the completed blob receipt the local WebJobs blob trigger would have written. The trigger's scan still lists the
/// container, but for such a blob it reads one receipt and moves on, instead of the ~12 storage calls and one function
/// invocation of its own path (receipt create, lease, re-read, its internal queue, the blob's properties, the ingest
/// function, receipt completion, lease release, message delete): measured in docs/PERFORMANCE.md "The local host end to
/// end". Blobs dropped in by other means still go through the trigger, and the reconciler still catches what it misses.
/// Order: the receipt first, created only if none exists (If-None-Match: *), then the claim check. A blob the trigger
/// already took keeps its one message (no second claim check); a failed enqueue removes the receipt again; a process
/// killed between the two leaves a receipt without a message, which the reconciler's stuck-blob rule ingests once.
/// </summary>
public sealed class UploadClaims(ImageIngestor ingestor, BlobServiceClient blobs)
{
    /// <summary>Where the WebJobs SDK keeps its blob receipts: <c>blobreceipts/{host}/{function}/{etag}/{container}/{blob}</c>.</summary>
    internal const string HostsContainer = "azure-webjobs-hosts";

    internal const string ReceiptsPrefix = "blobreceipts/";

    /// <summary>The WebJobs function id of the local ingest function: its declaring type's full name and method name.</summary>
    internal static readonly string IngestFunctionId = $"{typeof(LocalFunctions).FullName}.{nameof(LocalFunctions.IngestImageAsync)}";

    /// <summary>
    /// Whether an uploader should claim what it uploads to this endpoint: yes for the storage emulator (loopback or the
    /// devstoreaccount1 account), where the local host's polling trigger is the only ingest; no for an Azure account,
    /// whose Functions app ingests every new blob through Event Grid (a second claim check would only repeat the work).
    /// </summary>
    public static bool AppliesTo(Uri blobEndpoint)
    {
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        return blobEndpoint.IsLoopback || blobEndpoint.AbsolutePath.TrimStart('/').StartsWith("devstoreaccount1", StringComparison.Ordinal);
    }

    /// <summary>Records this version of the blob as taken, then enqueues its claim check. False: the trigger had it already.</summary>
    public async Task<bool> ClaimAsync(string container, string blobName, string etag, long sizeBytes, CancellationToken cancellationToken = default)
    {
        if (!await WriteReceiptAsync(blobs, container, blobName, etag, cancellationToken).ConfigureAwait(false)) return false;
        try
        {
            await ingestor.IngestAsync(container, blobName, etag, sizeBytes, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch
        {
            // No message went out: leave the blob to the trigger (or the reconciler) rather than marked as taken.
            await Receipt(blobs, container, blobName, etag).DeleteIfExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates the completed receipt for (blob, ETag): an empty blob without the SDK's "Incomplete" metadata. False when
    /// a receipt was there already (the trigger, or an earlier claim, owns this version).
    /// </summary>
    internal static async Task<bool> WriteReceiptAsync(BlobServiceClient blobs, string container, string blobName, string etag, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
        try
        {
            await Receipt(blobs, container, blobName, etag).UploadAsync(BinaryData.Empty, options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // No host has run on this account yet: make the container the host would make, then write the receipt.
            await blobs.GetBlobContainerClient(HostsContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return await WriteReceiptAsync(blobs, container, blobName, etag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    private static BlobClient Receipt(BlobServiceClient blobs, string container, string blobName, string etag) =>
        blobs.GetBlobContainerClient(HostsContainer).GetBlobClient($"{ReceiptsPrefix}{LocalHostId.Value}/{IngestFunctionId}/{etag}/{container}/{blobName}");
}
