using SixLabors.ImageSharp.PixelFormats;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// A minimal baseline JPEG encoder for solid colours with restart markers (ImageSharp 2.1's encoder writes none), so
/// issue 21's damaged-entropy files can be generated in code: every RST marker RST7, a DRI of 0 with the markers still
/// there, the markers removed, or a bad Huffman code. YCbCr 4:4:4, quantisation 1, each block only its DC term (a solid
/// colour has no AC energy), Huffman tables made for this: DC categories 0-11 as 4-bit codes (so 1100-1111 are never
/// valid), AC just end-of-block as "0". Decoded undamaged, every pixel is the colour (within rounding of YCbCr).
/// </summary>
internal static class RestartJpeg
{
    /// <summary>What to do to the restart markers.</summary>
    public enum Damage
    {
        None,

        /// <summary>Every restart marker is RST7 (they must run RST0, RST1, ... RST7, RST0 ...).</summary>
        AllRst7,

        /// <summary>The DRI segment says 0 (no restarts) but the data still has its markers and resets.</summary>
        DriZeroWithMarkers,

        /// <summary>The markers are cut out; the DRI segment still promises them.</summary>
        MarkersRemoved,

        /// <summary>Not damage: one restart marker more, after the last MCU (libjpeg decodes every block without a warning).</summary>
        TrailingMarker,

        /// <summary>No restarts; a byte in the middle of the entropy-coded data becomes 0xEE (an invalid Huffman code).</summary>
        BadHuffmanCode,
    }

    public static byte[] Solid(Rgb24 colour, int width = 64, int height = 64, int interval = 4, Damage damage = Damage.None)
    {
        bool restarts = damage != Damage.BadHuffmanCode && interval > 0;
        int[] samples =
        [
            Clamp((0.299 * colour.R) + (0.587 * colour.G) + (0.114 * colour.B)),
            Clamp(128 - (0.168736 * colour.R) - (0.331264 * colour.G) + (0.5 * colour.B)),
            Clamp(128 + (0.5 * colour.R) - (0.418688 * colour.G) - (0.081312 * colour.B)),
        ];
        using var file = new MemoryStream();
        file.Write([0xFF, 0xD8]);
        file.Write([0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        file.Write([0xFF, 0xDB, 0x00, 0x43, 0x00]);
        file.Write(Enumerable.Repeat((byte)1, 64).ToArray());
        file.Write([0xFF, 0xC0, 0x00, 0x11, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
        byte[] dcBits = [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        byte[] acBits = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        file.Write([0xFF, 0xC4, 0x00, 2 + 1 + 16 + 12 + 1 + 16 + 1, 0x00, .. dcBits, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x10, .. acBits, 0x00]);
        if (restarts)
        {
            int dri = damage == Damage.DriZeroWithMarkers ? 0 : interval;
            file.Write([0xFF, 0xDD, 0x00, 0x04, (byte)(dri >> 8), (byte)dri]);
        }

        file.Write([0xFF, 0xDA, 0x00, 0x0C, 3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);
        var bits = new BitWriter(file);
        int mcus = ((width + 7) / 8) * ((height + 7) / 8);
        int[] previous = new int[3];
        int restart = 0;
        long entropyStart = file.Position;
        for (int mcu = 0; mcu < mcus; mcu++)
        {
            if (restarts && mcu > 0 && mcu % interval == 0)
            {
                bits.Flush();
                if (damage != Damage.MarkersRemoved)
                {
                    file.Write([0xFF, damage == Damage.AllRst7 ? (byte)0xD7 : (byte)(0xD0 + (restart % 8))]);
                }

                restart++;
                Array.Clear(previous);
            }

            for (int c = 0; c < 3; c++)
            {
                int dc = 8 * (samples[c] - 128);
                int diff = dc - previous[c];
                previous[c] = dc;
                int category = diff == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(diff));
                bits.Write(category, 4);
                if (category > 0)
                {
                    bits.Write(diff > 0 ? diff : diff + (1 << category) - 1, category);
                }

                bits.Write(0, 1); // end of block
            }
        }

        bits.Flush();
        if (damage == Damage.TrailingMarker)
        {
            file.Write([0xFF, (byte)(0xD0 + (restart % 8))]);
        }

        byte[] data = [.. file.ToArray(), 0xFF, 0xD9];
        if (damage == Damage.BadHuffmanCode)
        {
            data[(int)(entropyStart + ((data.Length - 2 - entropyStart) / 2))] = 0xEE;
        }

        return data;
    }

    private static int Clamp(double value) => (int)Math.Clamp(Math.Round(value), 0, 255);

    /// <summary>Writes bits most significant first, stuffing a zero byte after every 0xFF and padding with ones.</summary>
    private sealed class BitWriter(Stream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (int i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8)
                {
                    Emit();
                }
            }
        }

        public void Flush()
        {
            while (_count != 0)
            {
                Write(1, 1);
            }
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF)
            {
                output.WriteByte(0);
            }

            _buffer = 0;
            _count = 0;
        }
    }
}
