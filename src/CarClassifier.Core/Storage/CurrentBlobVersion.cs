using Azure;
using Azure.Storage.Blobs;

namespace CarClassifier.Core.Storage;

/// <summary>
/// Reads which version of a blob is current, for <see cref="Results.ResultStore.WriteIfCurrentAsync"/>: its ETag, or null
/// when the blob does not exist (deleted). One HEAD request, made only when a row already exists for another version.
/// </summary>
public static class CurrentBlobVersion
{
    /// <param name="unaddressableVersion">
    /// What to report for a name the SDK cannot address (see <see cref="BlobNameAddressing"/>): a HEAD would read another
    /// blob, so the row's own version is taken as current. Ingest rejects such names; only a hand-made message gets here.
    /// </param>
    public static Func<CancellationToken, Task<string?>> Of(BlobServiceClient blobs, string container, string blobName, string? unaddressableVersion)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentException.ThrowIfNullOrEmpty(container);
        ArgumentNullException.ThrowIfNull(blobName);
        if (!BlobNameAddressing.IsAddressable(blobName)) return _ => Task.FromResult(unaddressableVersion);
        return async cancellationToken =>
        {
            try
            {
                var properties = await blobs.GetBlobContainerClient(container).GetBlobClient(blobName)
                    .GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return properties.Value.ETag.ToString();
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        };
    }
}
