using System.Buffers.Binary;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Walks a GIF's blocks and checks every frame descriptor against the limits. The logical screen in
/// the header can be small while a frame declares a huge size (a classic decompression bomb), and
/// header-only identification reports only the logical screen.
/// </summary>
internal static class GifFrameScanner
{
    private const byte ExtensionIntroducer = 0x21;
    private const byte ImageSeparator = 0x2C;
    private const byte Trailer = 0x3B;

    /// <summary>Throws <see cref="ImageRejectedException"/> (TooLarge) if any frame is over the limits.</summary>
    public static void CheckFrames(ReadOnlySpan<byte> gif, ImageLimits limits)
    {
        // Header (6) + logical screen descriptor (7).
        if (gif.Length < 13)
        {
            return; // Too short to hold a frame; the decoder reports the truncation.
        }

        int offset = 13;
        byte packed = gif[10];
        if ((packed & 0x80) != 0)
        {
            offset += 3 * (1 << ((packed & 0x07) + 1));
        }

        while (offset < gif.Length)
        {
            byte block = gif[offset++];
            if (block == Trailer)
            {
                return;
            }

            if (block == ExtensionIntroducer)
            {
                offset++; // label
                offset = SkipSubBlocks(gif, offset);
            }
            else if (block == ImageSeparator)
            {
                if (offset + 9 > gif.Length)
                {
                    return;
                }

                int width = BinaryPrimitives.ReadUInt16LittleEndian(gif.Slice(offset + 4, 2));
                int height = BinaryPrimitives.ReadUInt16LittleEndian(gif.Slice(offset + 6, 2));
                ImageHeaderProbe.CheckSize(width, height, limits, "GIF frame");
                byte framePacked = gif[offset + 8];
                offset += 9;
                if ((framePacked & 0x80) != 0)
                {
                    offset += 3 * (1 << ((framePacked & 0x07) + 1));
                }

                offset++; // LZW minimum code size
                offset = SkipSubBlocks(gif, offset);
            }
            else
            {
                return; // Unknown block: leave the verdict to the decoder.
            }
        }
    }

    private static int SkipSubBlocks(ReadOnlySpan<byte> gif, int offset)
    {
        while (offset < gif.Length)
        {
            int size = gif[offset++];
            if (size == 0)
            {
                break;
            }

            offset += size;
        }

        return offset;
    }
}
