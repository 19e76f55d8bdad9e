namespace CarClassifier.Core.Storage;

/// <summary>The blob's name cannot be addressed by an SDK client (see <see cref="BlobNameAddressing"/>); final, never retried.</summary>
public sealed class UnaddressableBlobException : Exception
{
    public UnaddressableBlobException()
        : base(BlobNameAddressing.UnaddressableReason)
    {
    }

    public UnaddressableBlobException(string message)
        : base(message)
    {
    }

    public UnaddressableBlobException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
