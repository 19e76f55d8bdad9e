using System.Buffers.Binary;
using System.Globalization;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Checks a TIFF's first image directory against the bytes actually present, before any decoder runs. ImageSharp 2.1
/// reads a strip that lies past the end of the file as zeros (a 7000x7000 image whose only strip holds 64 bytes
/// decodes as a black picture and would be classified), and fails on RowsPerStrip 0 or an IFD offset of 0xFFFFFFFF
/// with bare runtime exceptions. Here each of these gets a Corrupt verdict that says what is wrong with the file.
/// Classic TIFF and BigTIFF, both byte orders. Fields this check does not need are left to the decoder.
/// </summary>
internal static class TiffStructure
{
    private const ushort ImageWidthTag = 256;
    private const ushort ImageLengthTag = 257;
    private const ushort BitsPerSampleTag = 258;
    private const ushort CompressionTag = 259;
    private const ushort StripOffsetsTag = 273;
    private const ushort SamplesPerPixelTag = 277;
    private const ushort RowsPerStripTag = 278;
    private const ushort StripByteCountsTag = 279;
    private const ushort TileOffsetsTag = 324;
    private const ushort TileByteCountsTag = 325;

    /// <summary>Most strips or tiles read for the check; more than this many values are themselves a sign of a hostile file.</summary>
    private const int MaxPieces = 1_000_000;

    /// <summary>
    /// Throws <see cref="ImageRejectedException"/> (Corrupt) when the first directory does not fit the file, and
    /// (TooLarge) when the directories ask a decoder for more work or memory than <paramref name="limits"/> allow
    /// (<see cref="Directories"/>). Returns what the directories hold besides pixels.
    /// </summary>
    public static MetadataLayout Check(ReadOnlySpan<byte> tiff, ImageLimits limits)
    {
        if (tiff.Length < 8)
        {
            throw Corrupt("the file ends inside the TIFF header");
        }

        bool little = tiff[0] == (byte)'I';
        bool big = ReadU16(tiff, 2, little) == 43;
        long ifd;
        if (big)
        {
            if (tiff.Length < 16 || ReadU16(tiff, 4, little) != 8)
            {
                throw Corrupt("the BigTIFF header is incomplete or has an offset size other than 8");
            }

            ifd = (long)Math.Min(ReadU64(tiff, 8, little), long.MaxValue);
        }
        else
        {
            ifd = ReadU32(tiff, 4, little);
        }

        int countSize = big ? 8 : 2;
        int entrySize = big ? 20 : 12;
        if (ifd < 8 || ifd > tiff.Length - countSize)
        {
            throw Corrupt(Invariant($"the first image directory is at offset {ifd}, outside the {tiff.Length}-byte file"));
        }

        ulong count = big ? ReadU64(tiff, (int)ifd, little) : ReadU16(tiff, (int)ifd, little);
        long entriesStart = ifd + countSize;
        if (count == 0 || (ulong)(tiff.Length - entriesStart) / (ulong)entrySize < count)
        {
            throw Corrupt(Invariant($"the first image directory declares {count} entries, which do not fit in the file"));
        }

        // TIFF defaults for absent fields: uncompressed, one 1-bit sample per pixel.
        var fields = new Fields { Compression = 1, BitsPerSample = 1, SamplesPerPixel = 1 };
        for (int i = 0; i < (int)count; i++)
        {
            ReadEntry(tiff, (int)(entriesStart + (i * (long)entrySize)), little, big, ref fields);
        }

        CheckImageData(tiff, fields, little);
        return Directories(tiff, ifd, little, big, limits);
    }

    /// <summary>
    /// Walks the chain of image directories (one per page) as ImageSharp 2.1 does before decoding the first: it reads every
    /// directory and copies every field's values. Issue 21: fields whose values all point at one large region cost a copy
    /// of it each, and a chain that loops never ends; so the directories are counted (at most
    /// <see cref="ImageLimits.MaxMetadataSegments"/>), a loop is refused, and the values the fields claim may together
    /// exceed the file's own size by at most <see cref="ImageLimits.MaxMetadataBytes"/> (in a sound file they do not
    /// overlap, so they fit in it). Work: one pass over the entries, no copy.
    /// </summary>
    private static MetadataLayout Directories(ReadOnlySpan<byte> tiff, long first, bool little, bool big, ImageLimits limits)
    {
        int countSize = big ? 8 : 2;
        int entrySize = big ? 20 : 12;
        int inline = big ? 8 : 4;
        var visited = new HashSet<long>();
        long valueBytes = 0;
        long entriesSeen = 0;
        long ifd = first;
        while (ifd >= 8 && ifd <= tiff.Length - countSize)
        {
            if (!visited.Add(ifd))
            {
                throw Corrupt(Invariant($"its image directories form a loop (directory {visited.Count + 1} is the one at offset {ifd} again)"));
            }

            if (visited.Count > limits.MaxMetadataSegments)
            {
                throw new ImageRejectedException(
                    ImageRejectionKind.TooLarge,
                    Invariant($"Tiff image has more than {limits.MaxMetadataSegments} image directories, over the limit ({limits.Setting(nameof(ImageLimits.MaxMetadataSegments))})"));
            }

            ulong count = big ? ReadU64(tiff, (int)ifd, little) : ReadU16(tiff, (int)ifd, little);
            long entriesStart = ifd + countSize;
            long fits = (long)Math.Min(count, (ulong)((tiff.Length - entriesStart) / entrySize));
            if ((ulong)fits < count)
            {
                // ImageSharp 2.1 reads every declared entry, past the end of the file too: a BigTIFF directory declaring
                // 4,295,164,181 entries in a 2 KB file kept it reading for good (found by DecoderFuzzTests, seed 150015).
                throw Corrupt(Invariant($"image directory {visited.Count} declares {count} entries, but only {fits} fit in the file"));
            }

            for (long i = 0; i < fits; i++)
            {
                int at = (int)(entriesStart + (i * entrySize));
                ulong values = big ? ReadU64(tiff, at + 4, little) : ReadU32(tiff, at + 4, little);
                ulong bytes = values * (ulong)TypeSize(ReadU16(tiff, at + 2, little));
                if (values <= (ulong)tiff.Length && bytes > (ulong)inline)
                {
                    valueBytes += (long)Math.Min(bytes, (ulong)tiff.Length);
                }
                else if (values > (ulong)tiff.Length)
                {
                    valueBytes += tiff.Length;
                }
            }

            entriesSeen += fits;
            long nextAt = entriesStart + (fits * entrySize);
            if (nextAt + (big ? 8 : 4) > tiff.Length)
            {
                break; // no next-directory offset: the decoder reports a directory cut short itself
            }

            ifd = big ? (long)Math.Min(ReadU64(tiff, (int)nextAt, little), long.MaxValue) : ReadU32(tiff, (int)nextAt, little);
        }

        if (valueBytes > tiff.Length + limits.MaxMetadataBytes)
        {
            throw new ImageRejectedException(
                ImageRejectionKind.TooLarge,
                Invariant($"Tiff image's {entriesSeen} directory fields claim {valueBytes} bytes of values in a {tiff.Length}-byte file: fields that share one region make a decoder copy it once per field, and more than the file plus {limits.MaxMetadataBytes} bytes is over the limit ({limits.Setting(nameof(ImageLimits.MaxMetadataBytes))})"));
        }

        return new MetadataLayout(valueBytes, visited.Count, -1, 0);
    }

    /// <summary>Bytes per value of a TIFF field type (TIFF 6.0 and BigTIFF); unknown types count one byte.</summary>
    private static int TypeSize(ushort type) => type switch
    {
        3 or 8 => 2,
        4 or 9 or 11 or 13 => 4,
        5 or 10 or 12 or 16 or 17 or 18 => 8,
        _ => 1,
    };

    private static void CheckImageData(ReadOnlySpan<byte> tiff, Fields fields, bool little)
    {
        if (fields.Width == 0 || fields.Height == 0)
        {
            return; // the probe rejects a missing size with the decoder's own words
        }

        if (fields.RowsPerStripPresent && fields.RowsPerStrip == 0)
        {
            throw Corrupt("RowsPerStrip is 0, so the image rows cannot be divided into strips");
        }

        bool tiled = fields.TileOffsets.Present;
        var offsets = tiled ? fields.TileOffsets : fields.StripOffsets;
        var counts = tiled ? fields.TileByteCounts : fields.StripByteCounts;
        string piece = tiled ? "tile" : "strip";
        if (!offsets.Present || offsets.Count == 0)
        {
            throw Corrupt("there is no image data (the directory has no strip or tile offsets)");
        }

        if (!counts.Present)
        {
            return; // old writers omit byte counts for a single uncompressed strip; the decoder infers them
        }

        if (counts.Count != offsets.Count)
        {
            throw Corrupt(Invariant($"the directory lists {offsets.Count} {piece} offsets but {counts.Count} {piece} byte counts"));
        }

        if (offsets.Count > MaxPieces)
        {
            throw Corrupt(Invariant($"the directory lists {offsets.Count} {piece}s, more than {MaxPieces} this check reads"));
        }

        ulong stored = 0;
        for (int i = 0; i < (int)offsets.Count; i++)
        {
            ulong offset = ReadValue(tiff, offsets, i, little);
            ulong length = ReadValue(tiff, counts, i, little);
            if (offset > (ulong)tiff.Length || length > (ulong)tiff.Length - offset)
            {
                throw Corrupt(Invariant(
                    $"{piece} {i} claims {length} bytes at offset {offset}, past the end of the {tiff.Length}-byte file (truncated or missing image data)"));
            }

            stored += length;
        }

        ulong minimum = MinimumStoredBytes(fields);
        if (stored < minimum)
        {
            throw Corrupt(Invariant(
                $"its {piece}s hold {stored} bytes, but a {fields.Width}x{fields.Height} image with compression {fields.Compression} needs at least {minimum} (truncated or missing image data)"));
        }
    }

    /// <summary>
    /// The fewest bytes the pixel data can take: all of it when uncompressed; otherwise the raw size divided by the
    /// codec's best possible ratio (PackBits 2 bytes per 128, Deflate about 1032:1, LZW 12 bits per at most 4096 bytes).
    /// Other codecs (JPEG, CCITT fax) are not bounded here.
    /// </summary>
    private static ulong MinimumStoredBytes(Fields fields)
    {
        // In double: a hostile width or height must not wrap the arithmetic (the size limits reject such files later).
        double bitsPerPixel = (double)Math.Max(1, fields.BitsPerSample) * Math.Max(1, fields.SamplesPerPixel);
        double raw = Math.Ceiling(fields.Width * bitsPerPixel / 8) * fields.Height;
        double ratio = fields.Compression switch
        {
            1 => 1,
            32773 => 64,
            8 or 32946 => 1032,
            5 => 2731,
            _ => 0,
        };
        return ratio == 0 ? 0 : (ulong)Math.Min(raw / ratio, long.MaxValue);
    }

    private static void ReadEntry(ReadOnlySpan<byte> tiff, int at, bool little, bool big, ref Fields fields)
    {
        ushort tag = ReadU16(tiff, at, little);
        ushort type = ReadU16(tiff, at + 2, little);
        ulong count = big ? ReadU64(tiff, at + 4, little) : ReadU32(tiff, at + 4, little);
        int valueAt = at + (big ? 12 : 8);
        int inline = big ? 8 : 4;
        int size = type switch
        {
            3 => 2, // SHORT
            4 => 4, // LONG
            16 => 8, // LONG8 (BigTIFF)
            _ => 0,
        };
        if (size == 0 || count == 0)
        {
            return; // not an integer field this check reads
        }

        long dataAt;
        if (count * (ulong)size <= (ulong)inline)
        {
            dataAt = valueAt;
        }
        else
        {
            ulong pointer = big ? ReadU64(tiff, valueAt, little) : ReadU32(tiff, valueAt, little);
            if (pointer > (ulong)tiff.Length || count > ((ulong)tiff.Length - pointer) / (ulong)size)
            {
                throw Corrupt(Invariant($"field {tag} claims {count} values at offset {pointer}, past the end of the {tiff.Length}-byte file"));
            }

            dataAt = (long)pointer;
        }

        var array = new ValueArray(true, (int)dataAt, count, size);
        switch (tag)
        {
            case ImageWidthTag: fields.Width = First(tiff, array, little); break;
            case ImageLengthTag: fields.Height = First(tiff, array, little); break;
            case BitsPerSampleTag: fields.BitsPerSample = (int)Math.Min(First(tiff, array, little), 64); break;
            case CompressionTag: fields.Compression = (int)Math.Min(First(tiff, array, little), int.MaxValue); break;
            case SamplesPerPixelTag: fields.SamplesPerPixel = (int)Math.Min(First(tiff, array, little), 64); break;
            case RowsPerStripTag:
                fields.RowsPerStripPresent = true;
                fields.RowsPerStrip = First(tiff, array, little);
                break;
            case StripOffsetsTag: fields.StripOffsets = array; break;
            case StripByteCountsTag: fields.StripByteCounts = array; break;
            case TileOffsetsTag: fields.TileOffsets = array; break;
            case TileByteCountsTag: fields.TileByteCounts = array; break;
            default: break;
        }
    }

    private static ulong First(ReadOnlySpan<byte> tiff, ValueArray array, bool little) => ReadValue(tiff, array, 0, little);

    private static ulong ReadValue(ReadOnlySpan<byte> tiff, ValueArray array, int index, bool little)
    {
        int at = array.Offset + (index * array.Size);
        return array.Size switch
        {
            2 => ReadU16(tiff, at, little),
            4 => ReadU32(tiff, at, little),
            _ => ReadU64(tiff, at, little),
        };
    }

    private static ushort ReadU16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(b.Slice(at, 2));

    private static uint ReadU32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(b.Slice(at, 4));

    private static ulong ReadU64(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(at, 8)) : BinaryPrimitives.ReadUInt64BigEndian(b.Slice(at, 8));

    private static ImageRejectedException Corrupt(string what) =>
        new(ImageRejectionKind.Corrupt, $"Tiff image is corrupt: {what}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where a field's integer values lie in the file (already checked to fit).</summary>
    private readonly record struct ValueArray(bool Present, int Offset, ulong Count, int Size);

    private struct Fields
    {
        public ulong Width;
        public ulong Height;
        public int BitsPerSample;
        public int SamplesPerPixel;
        public int Compression;
        public bool RowsPerStripPresent;
        public ulong RowsPerStrip;
        public ValueArray StripOffsets;
        public ValueArray StripByteCounts;
        public ValueArray TileOffsets;
        public ValueArray TileByteCounts;
    }
}
