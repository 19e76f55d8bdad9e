namespace CarClassifier.Core.Imaging;

/// <summary>Structural checks on JPEG marker segments that decoders do not report.</summary>
internal static class JpegMarkers
{
    private const byte StartOfScan = 0xDA;

    /// <summary>
    /// True when an end-of-image marker (FF D9) follows the first start-of-scan. Entropy-coded data stuffs
    /// every FF byte as FF 00, so FF D9 after SOS can only be a real marker. Without it the file was cut
    /// short: ImageSharp then pads the missing blocks silently and Skia fails, so the probe rejects such
    /// files for both, rather than classify a partly grey picture.
    /// Returns true when the segments cannot be walked (the decoders then give their own verdict).
    /// </summary>
    public static bool HasEndOfImageAfterScan(ReadOnlySpan<byte> jpeg)
    {
        int offset = 2; // after SOI
        while (offset + 4 <= jpeg.Length)
        {
            if (jpeg[offset] != 0xFF)
            {
                offset++; // junk between segments: tolerated by decoders, skip it
                continue;
            }

            byte marker = jpeg[offset + 1];
            if (marker is 0xFF or 0x00 or 0x01 or (>= 0xD0 and <= 0xD8))
            {
                offset++; // fill byte, stuffed byte or a marker without a length
                continue;
            }

            if (marker == StartOfScan)
            {
                return jpeg[offset..].IndexOf([(byte)0xFF, (byte)0xD9]) >= 0;
            }

            int length = (jpeg[offset + 2] << 8) | jpeg[offset + 3];
            offset += 2 + length;
        }

        return true;
    }
}
