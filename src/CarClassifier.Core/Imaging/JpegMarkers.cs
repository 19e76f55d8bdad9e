using System.Globalization;

namespace CarClassifier.Core.Imaging;

/// <summary>What one walk over a JPEG's marker segments found (<see cref="JpegMarkers.Structure"/>).</summary>
/// <param name="EndOfImage">An end-of-image marker follows the first scan (false: the file was cut short).</param>
/// <param name="Scans">Start-of-scan markers seen (a lower bound when the walk could not reach the end).</param>
/// <param name="MetadataBytes">Bytes of metadata segments (APP1-APP13, APP15, COM: EXIF, ICC, XMP, MPF, comments...).</param>
/// <param name="MetadataSegments">How many such segments.</param>
/// <param name="ExifOffset">Where the first APP1 "Exif" block's data starts (after the segment length), or -1.</param>
/// <param name="ExifLength">Its length in bytes.</param>
/// <param name="EntropyDamage">Why the entropy-coded data is damaged (restart markers that contradict the file), or null.</param>
internal readonly record struct JpegLayout(
    bool EndOfImage, int Scans, long MetadataBytes, int MetadataSegments, int ExifOffset, int ExifLength, string? EntropyDamage);

/// <summary>Structural checks on JPEG marker segments that decoders do not report.</summary>
internal static class JpegMarkers
{
    private const byte StartOfScan = 0xDA;
    private const byte EndOfImage = 0xD9;
    private const byte DefineRestartInterval = 0xDD;

    /// <summary>True for the APPn and COM segments that carry metadata rather than anything decoding needs.</summary>
    /// <remarks>APP0 (JFIF) and APP14 (Adobe) stay: libjpeg reads the colour transform from them.</remarks>
    public static bool IsMetadata(byte marker) => marker is (>= 0xE1 and <= 0xED) or 0xEF or 0xFE;

    /// <summary>
    /// Walks the segments: counts the scans and finds the end-of-image marker (FF D9), measures the metadata segments,
    /// finds the EXIF block, and checks the restart markers in the entropy-coded data. Entropy-coded data stuffs every FF
    /// byte as FF 00 (and FF D0-D7 are restart markers), so any other FF xx there is a real marker. Without FF D9 the file
    /// was cut short: ImageSharp then pads the missing blocks silently and Skia fails, so the probe rejects such files for
    /// every decoder rather than classify a partly grey picture. The scan count lets it refuse progressive files split
    /// into hundreds of scans before any decoder spends minutes on them. When the segments cannot be walked it reports an
    /// end and one scan (the decoders then give their own verdict).
    /// <para>
    /// Restart markers (issue 21): with a restart interval of N MCUs (DRI), an encoder ends every N MCUs of a scan with
    /// RST0, RST1, ... RST7, RST0 ... in turn, so a scan of M MCUs holds ceil(M / N) - 1 of them (one more after the last
    /// MCU is harmless). Markers out of turn, markers without an interval (DRI 0), or too few or too many mean damaged entropy data: libjpeg-turbo then
    /// resynchronises by filling the lost blocks with grey (a red photo came out "white", Succeeded) and Skia does the
    /// same silently, so the probe reports it for every decoder, as it does a missing end marker.
    /// </para>
    /// </summary>
    public static JpegLayout Structure(ReadOnlySpan<byte> jpeg)
    {
        int offset = 2; // after SOI
        int scans = 0;
        int firstScan = -1;
        long metadataBytes = 0;
        int metadataSegments = 0;
        int exifOffset = -1, exifLength = 0;
        var restarts = new RestartCheck();
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
            if (marker is >= 0xD0 and <= 0xD7)
            {
                restarts.Marker(marker - 0xD0);
                offset += 2;
                continue;
            }

            if (marker is 0xFF or 0x00 or 0x01 or 0xD8)
            {
                offset += marker == 0xFF ? 1 : 2; // fill byte, stuffed byte or a marker without a length
                continue;
            }

            restarts.EndScan();
            if (marker == EndOfImage)
            {
                return new JpegLayout(scans > 0, Math.Max(scans, 1), metadataBytes, metadataSegments, exifOffset, exifLength, restarts.Damage);
            }

            int length = (jpeg[offset + 2] << 8) | jpeg[offset + 3];
            var segment = jpeg.Slice(offset + 4, Math.Max(0, Math.Min(length - 2, jpeg.Length - offset - 4)));
            if (marker == StartOfScan)
            {
                scans++;
                firstScan = firstScan < 0 ? offset : firstScan;
                restarts.StartScan(segment);
            }
            else if (marker == DefineRestartInterval && segment.Length >= 2)
            {
                restarts.Interval = (segment[0] << 8) | segment[1];
            }
            else if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                // Lossless frames (SOF3, 7, 11, 15) count MCUs in samples, not 8x8 blocks: their markers are only checked for order.
                restarts.Frame(segment, lossless: marker is 0xC3 or 0xC7 or 0xCB or 0xCF);
            }
            else if (IsMetadata(marker))
            {
                metadataBytes += 2 + length;
                metadataSegments++;
                if (marker == 0xE1 && exifOffset < 0 && segment.StartsWith("Exif\0\0"u8))
                {
                    exifOffset = offset + 4;
                    exifLength = segment.Length;
                }
            }

            offset += 2 + length;
        }

        if (scans == 0)
        {
            return new JpegLayout(true, 1, metadataBytes, metadataSegments, exifOffset, exifLength, null);
        }

        if (offset + 2 == jpeg.Length && jpeg[offset] == 0xFF && jpeg[offset + 1] == EndOfImage)
        {
            // The usual ending: the end marker is the file's last two bytes, too short for the loop above.
            restarts.EndScan();
            return new JpegLayout(true, scans, metadataBytes, metadataSegments, exifOffset, exifLength, restarts.Damage);
        }

        // The walk ran off the end (the last two bytes, or a damaged segment length between scans): an FF D9 anywhere
        // after the first scan still counts, as it always has; the scan count is then a lower bound, and the restart
        // markers of the unfinished scan are not judged.
        return new JpegLayout(
            jpeg[firstScan..].IndexOf([(byte)0xFF, EndOfImage]) >= 0, scans, metadataBytes, metadataSegments, exifOffset, exifLength, restarts.Damage);
    }

    /// <summary>
    /// Copies <paramref name="jpeg"/> into <paramref name="destination"/> (at least as long) without its metadata segments
    /// (<see cref="IsMetadata"/>), wherever they are: between header segments or between the scans of a progressive file.
    /// Everything else, entropy-coded data included, is copied as it is. Returns the bytes written.
    /// </summary>
    public static int Strip(ReadOnlySpan<byte> jpeg, Span<byte> destination)
    {
        int written = 0;
        int copyFrom = 0;
        int offset = 2;
        while (offset + 4 <= jpeg.Length)
        {
            if (jpeg[offset] != 0xFF)
            {
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
                offset += marker == 0xFF ? 1 : 2;
                continue;
            }

            if (marker == EndOfImage)
            {
                break;
            }

            int end = (int)Math.Min(jpeg.Length, offset + 2L + ((jpeg[offset + 2] << 8) | jpeg[offset + 3]));
            if (IsMetadata(marker))
            {
                jpeg[copyFrom..offset].CopyTo(destination[written..]);
                written += offset - copyFrom;
                copyFrom = end;
            }

            offset = end;
        }

        jpeg[copyFrom..].CopyTo(destination[written..]);
        return written + (jpeg.Length - copyFrom);
    }

    /// <summary>The restart-marker bookkeeping of one walk: the frame's geometry, the current scan, the first damage found.</summary>
    private struct RestartCheck
    {
        private int _width;
        private int _height;
        private ComponentSampling[]? _components;
        private bool _inScan;
        private long _scanMcus;
        private int _scanInterval;
        private int _seen;

        /// <summary>The restart interval in MCUs (DRI) in force for the next scan; 0 = no restart markers.</summary>
        public int Interval { get; set; }

        public string? Damage { get; private set; }

        public void Frame(ReadOnlySpan<byte> sof, bool lossless)
        {
            _components = null;
            if (sof.Length < 6 || lossless)
            {
                return;
            }

            _height = (sof[1] << 8) | sof[2];
            _width = (sof[3] << 8) | sof[4];
            int count = Math.Min(sof[5], (sof.Length - 6) / 3);
            _components = new ComponentSampling[count];
            for (int i = 0; i < count; i++)
            {
                byte sampling = sof[6 + (i * 3) + 1];
                _components[i] = new ComponentSampling(sof[6 + (i * 3)], Math.Max(1, sampling >> 4), Math.Max(1, sampling & 0xF));
            }
        }

        public void StartScan(ReadOnlySpan<byte> sos)
        {
            _inScan = true;
            _seen = 0;
            _scanInterval = Interval;
            _scanMcus = Mcus(sos);
        }

        public void Marker(int number)
        {
            if (!_inScan || Damage is not null)
            {
                return;
            }

            if (_scanInterval == 0)
            {
                Damage = Invariant($"a restart marker (RST{number}) appears in a scan that has no restart interval (DRI 0 or none)");
            }
            else if (number != _seen % 8)
            {
                Damage = Invariant($"restart marker {_seen + 1} of a scan is RST{number} where RST{_seen % 8} belongs (markers damaged or out of order)");
            }

            _seen++;
        }

        public void EndScan()
        {
            if (!_inScan)
            {
                return;
            }

            _inScan = false;
            if (Damage is null && _scanInterval > 0 && _scanMcus > 0)
            {
                // One marker more than needed (after the last MCU) is tolerated: libjpeg reads it as a marker without
                // parameters and decodes every block, and some encoders write it.
                long expected = ((_scanMcus + _scanInterval - 1) / _scanInterval) - 1;
                if (_seen != expected && _seen != expected + 1)
                {
                    Damage = Invariant(
                        $"a scan of {_scanMcus} MCUs with a restart interval of {_scanInterval} needs {expected} restart markers but has {_seen} (markers missing or damaged)");
                }
            }
        }

        /// <summary>MCUs in a scan: one block each when it holds one component, the frame's MCU grid otherwise; 0 when unknown.</summary>
        private readonly long Mcus(ReadOnlySpan<byte> sos)
        {
            if (_components is not { Length: > 0 } components || _width == 0 || _height == 0 || sos.Length < 1 || sos[0] == 0)
            {
                return 0;
            }

            int hmax = 1, vmax = 1;
            foreach (var c in components)
            {
                hmax = Math.Max(hmax, c.H);
                vmax = Math.Max(vmax, c.V);
            }

            if (sos[0] > 1)
            {
                return Ceiling(_width, 8L * hmax) * Ceiling(_height, 8L * vmax);
            }

            if (sos.Length < 2)
            {
                return 0;
            }

            foreach (var c in components)
            {
                if (c.Id == sos[1])
                {
                    return Ceiling(Ceiling((long)_width * c.H, hmax), 8) * Ceiling(Ceiling((long)_height * c.V, vmax), 8);
                }
            }

            return 0;
        }

        private static long Ceiling(long value, long divisor) => (value + divisor - 1) / divisor;

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }

    private readonly record struct ComponentSampling(byte Id, int H, int V);
}
