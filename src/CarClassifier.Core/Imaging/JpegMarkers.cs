namespace CarClassifier.Core.Imaging;

/// <summary>Structural checks on JPEG marker segments that decoders do not report.</summary>
internal static class JpegMarkers
{
    private const byte StartOfScan = 0xDA;
    private const byte EndOfImage = 0xD9;

    /// <summary>
    /// Walks the segments after the first start-of-scan: counts the scans and finds the end-of-image marker (FF D9).
    /// Entropy-coded data stuffs every FF byte as FF 00 (and FF D0-D7 are restart markers), so any other FF xx there
    /// is a real marker. Without FF D9 the file was cut short: ImageSharp then pads the missing blocks silently and Skia
    /// fails, so the probe rejects such files for every decoder rather than classify a partly grey picture. The scan
    /// count lets it refuse progressive files split into hundreds of scans before any decoder spends minutes on them.
    /// When the segments cannot be walked it reports an end and one scan (the decoders then give their own verdict).
    /// </summary>
    public static (bool EndOfImage, int Scans) Structure(ReadOnlySpan<byte> jpeg)
    {
        int offset = 2; // after SOI
        int scans = 0;
        int firstScan = -1;
        while (offset + 4 <= jpeg.Length)
        {
            if (jpeg[offset] != 0xFF)
            {
                if (scans == 0)
                {
                    offset++; // junk between header segments: tolerated by decoders, skip it
                    continue;
                }

                // Entropy-coded data: jump to the next FF (vectorised), then decide whether it is a marker.
                int next = jpeg[offset..].IndexOf((byte)0xFF);
                if (next < 0)
                {
                    break;
                }

                offset += next;
                continue;
            }

            byte marker = jpeg[offset + 1];
            if (marker is 0xFF or 0x00 or 0x01 or (>= 0xD0 and <= 0xD8))
            {
                offset += marker == 0xFF ? 1 : 2; // fill byte, stuffed byte, restart or a marker without a length
                continue;
            }

            if (marker == EndOfImage)
            {
                return (scans > 0, Math.Max(scans, 1));
            }

            if (marker == StartOfScan)
            {
                scans++;
                firstScan = firstScan < 0 ? offset : firstScan;
            }

            int length = (jpeg[offset + 2] << 8) | jpeg[offset + 3];
            offset += 2 + length;
        }

        if (scans == 0)
        {
            return (true, 1);
        }

        // The walk ran off the end (the last two bytes, or a damaged segment length between scans): an FF D9 anywhere
        // after the first scan still counts, as it always has; the scan count is then a lower bound.
        return (jpeg[firstScan..].IndexOf([(byte)0xFF, EndOfImage]) >= 0, scans);
    }
}
