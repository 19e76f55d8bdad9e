namespace CarClassifier.Core.Imaging;

/// <summary>Why an image was rejected; stable codes for rows and metrics.</summary>
public enum ImageRejectionKind
{
    /// <summary>Zero bytes.</summary>
    Empty,

    /// <summary>Bytes are not a recognised image format.</summary>
    UnknownFormat,

    /// <summary>Recognised but not in the accepted formats (or not decodable by this build).</summary>
    UnsupportedFormat,

    /// <summary>Header dimensions exceed the pixel or dimension limit.</summary>
    TooLarge,

    /// <summary>Blob is bigger than the configured byte limit.</summary>
    TooManyBytes,

    /// <summary>Recognised format, but the data is corrupt or truncated.</summary>
    Corrupt,

    /// <summary>
    /// The decoder failed on these bytes in a way it does not classify itself (an exception other than a rejection).
    /// Decoding is a pure function of the bytes, so this is as final as <see cref="Corrupt"/>: a row, never a retry.
    /// </summary>
    DecoderError,
}
