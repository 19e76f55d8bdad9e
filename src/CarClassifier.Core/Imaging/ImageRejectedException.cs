namespace CarClassifier.Core.Imaging;

/// <summary>
/// A deterministic failure: these bytes will never decode under the current limits, so retrying is
/// pointless. The pipeline records a Failed row with <see cref="Exception.Message"/> as the reason.
/// </summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(ImageRejectionKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public ImageRejectionKind Kind { get; }
}
