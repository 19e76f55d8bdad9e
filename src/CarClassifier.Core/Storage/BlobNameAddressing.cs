namespace CarClassifier.Core.Storage;

/// <summary>
/// Which blob names the Azure SDK can address exactly. Blob clients are built with
/// <c>BlobClientOptions.TrimBlobNameSlashes = false</c> (see <see cref="Configuration.StorageClientFactory"/>), so leading,
/// trailing and doubled slashes reach the service as written. A '.' or '..' path segment cannot: the SDK turns the name
/// into a <see cref="Uri"/>, and System.Uri resolves dot segments (also when they are sent as %2E or %2E%2E), so
/// <c>a/b/../c.jpg</c> would read <c>a/c.jpg</c> and <c>a/../../c.jpg</c> leaves the container. Azure Storage's naming
/// rules say no path segment should end with a dot; Azurite stores such names anyway.
/// </summary>
public static class BlobNameAddressing
{
    /// <summary>ErrorKind of the Failed row a blob with an unaddressable name gets.</summary>
    public const string UnaddressableKind = "UnaddressableName";

    /// <summary>The row's reason: what is wrong and what to do.</summary>
    public const string UnaddressableReason =
        "The blob's name has a '.' or '..' path segment. Azure SDK clients resolve such segments as a relative path, so the " +
        "name points at a different blob or at none and this blob cannot be read by name (Azure's naming rules: no path " +
        "segment may end with a dot). Rename the blob without '.' and '..' segments.";

    /// <summary>True when a client for <paramref name="blobName"/> reaches exactly that blob.</summary>
    public static bool IsAddressable(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        foreach (var segment in blobName.Split('/'))
        {
            if (segment is "." or "..") return false;
        }

        return true;
    }
}
