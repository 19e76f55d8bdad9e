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
        // malformed segment, say) is a decoder bug tripped by the data: describe what it means, never the .NET type name.
        string detail = ex is ImageFormatException or NotSupportedException or EndOfStreamException ? ex.Message : Describe(ex);
        return new ImageRejectedException(kind, $"{format} {stage} could not be decoded: {reason} ({detail})", ex);
    }

    /// <summary>
    /// The total failure policy's last line: any exception a decoder lets escape (other than cancellation and
    /// out-of-memory) becomes a rejection of kind <see cref="ImageRejectionKind.DecoderError"/>, with a reason in words.
    /// Decoding is a pure function of the bytes, so retrying the same bytes would fail the same way.
    /// </summary>
    public static ImageRejectedException Unexpected(ReadOnlySpan<byte> encoded, Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ex is ImageRejectedException rejected)
        {
            return rejected;
        }

        var format = ImageFormatSniffer.Detect(encoded);
        string what = format == ImageFormat.Unknown ? "The image" : $"{format} image";
        return new ImageRejectedException(ImageRejectionKind.DecoderError, $"{what} could not be decoded: {Describe(ex)}", ex);
    }

    /// <summary>What a runtime exception thrown while parsing a file says about the file, in words a person can act on.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        DivideByZeroException => "a field that must not be zero is zero (for example rows per strip or a sampling factor)",
        ArithmeticException => "a size or count in the file is too large to be real",
        ArgumentException or IndexOutOfRangeException
            => "a size, offset or count in the file points outside its data (damaged or truncated)",
        InvalidMemoryOperationException => "it needs a buffer larger than the decoder allows",
        NullReferenceException or InvalidOperationException or InvalidCastException
            => "a part the file refers to is missing or inconsistent (damaged structure)",
        IOException => "the data ends early (truncated)",
        NotSupportedException or NotImplementedException => "it uses a feature the decoder does not support",
        FormatException or InvalidDataException or ImageFormatException => "its data does not follow the format (corrupt)",
        _ => "the decoder could not make sense of its data (damaged or unusual file)",
    };
}
