using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;

namespace CarClassifier.Core.Imaging;

/// <summary>Turns decoder exceptions caused by bad input into <see cref="ImageRejectedException"/>.</summary>
internal static class DecodeFailures
{
    /// <summary>
    /// True for exceptions a decoder throws on malformed input. Third-party decoders signal bad data with
    /// a wide range of types (format exceptions, but also index, overflow and end-of-stream errors), so
    /// everything is treated as a data error except cancellation, out-of-memory and our own rejections.
    /// The try blocks using this wrap only the third-party decode call, not our own code.
    /// </summary>
    public static bool IsDataError(Exception ex) =>
        ex is not (ImageRejectedException or OperationCanceledException or OutOfMemoryException);

    public static ImageRejectedException Corrupt(ImageFormat format, string stage, Exception ex)
    {
        if (ex is InvalidMemoryOperationException)
        {
            return new ImageRejectedException(
                ImageRejectionKind.TooLarge,
                $"{format} {stage} needs a buffer over the {ImageSharpSettings.AllocationLimitMegabytes} MB allocation limit: {ex.Message}",
                ex);
        }

        string reason = ex switch
        {
            UnknownImageFormatException => "format not recognised by the decoder",
            NotSupportedException => "uses a feature the decoder does not support",
            EndOfStreamException => "data ends early (truncated)",
            _ => "data is corrupt or truncated",
        };
        // A valid file using a feature the decoder lacks (e.g. arithmetic-coded JPEG) is unsupported, not corrupt.
        var kind = ex is NotSupportedException ? ImageRejectionKind.UnsupportedFormat : ImageRejectionKind.Corrupt;
        // ImageSharp's own exceptions carry a useful message; anything else (a NullReferenceException on a
        // malformed segment, say) is a decoder bug tripped by the data, where only the type is informative.
        string detail = ex is ImageFormatException or NotSupportedException or EndOfStreamException ? ex.Message : ex.GetType().Name;
        return new ImageRejectedException(kind, $"{format} {stage} could not be decoded: {reason} ({detail})", ex);
    }
}
