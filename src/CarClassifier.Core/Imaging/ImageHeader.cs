namespace CarClassifier.Core.Imaging;

/// <summary>What the header probe read from an image before any pixels were decoded.</summary>
/// <param name="Format">Container format found in the bytes.</param>
/// <param name="StoredWidth">Width of the pixel data as stored (before EXIF orientation).</param>
/// <param name="StoredHeight">Height of the pixel data as stored (before EXIF orientation).</param>
/// <param name="Orientation">EXIF orientation, 1..8; 1 when absent or invalid (e.g. 0).</param>
/// <param name="MetadataBytes">What the file's metadata can cost a decoder that keeps it (<see cref="MetadataLayout.Bytes"/>).</param>
/// <param name="SkipMetadata">
/// The metadata is over <see cref="ImageLimits.MaxMetadataBytes"/>: decoders that would keep it get the file without it.
/// </param>
public readonly record struct ImageHeader(
    ImageFormat Format, int StoredWidth, int StoredHeight, int Orientation, long MetadataBytes = 0, bool SkipMetadata = false)
{
    /// <summary>True for EXIF orientations 5..8, which swap width and height.</summary>
    public bool SwapsAxes => Orientation is >= 5 and <= 8;

    /// <summary>The image as a viewer shows it: format and size after EXIF orientation.</summary>
    public DecodedImageInfo ToInfo() =>
        SwapsAxes ? new DecodedImageInfo(Format, StoredHeight, StoredWidth) : new DecodedImageInfo(Format, StoredWidth, StoredHeight);
}
