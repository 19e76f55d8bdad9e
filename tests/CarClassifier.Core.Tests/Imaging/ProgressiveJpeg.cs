namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// Progressive JPEGs written byte by byte, for the scan-count limit. No dependencies, so the end-to-end tests link
/// this file too.
/// </summary>
internal static class ProgressiveJpeg
{
    /// <summary>
    /// A valid grey progressive JPEG (mid-grey, every AC coefficient zero) split into far more scans than any encoder
    /// writes: one DC scan, then for each of the 63 AC coefficients a first scan at bit <paramref name="firstBit"/> and a
    /// refinement scan for every bit below it, 1 + 63 * (firstBit + 1) scans in all (694 for 10). Each scan revisits
    /// every block, which is how a few kilobytes of such a file can cost minutes of CPU at camera sizes.
    /// </summary>
    public static byte[] WithManyScans(int width, int height, int firstBit = 10)
    {
        int blocks = ((width + 7) / 8) * ((height + 7) / 8);
        var jpeg = new List<byte> { 0xFF, 0xD8 };
        void Segment(byte marker, params byte[] body)
        {
            jpeg.AddRange([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]);
            jpeg.AddRange(body);
        }

        // One code, "0", for symbol 0: DC difference 0 in the DC table, EOB (end of band for this block) in the AC table.
        byte[] oneCodeTable = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00];
        void Scan(byte spectralStart, byte spectralEnd, int high, int low)
        {
            Segment(0xDA, 1, 1, 0x00, spectralStart, spectralEnd, (byte)((high << 4) | low));
            // Every block codes the single 1-bit code "0"; the last byte is padded with 1 bits.
            jpeg.AddRange(new byte[blocks / 8]);
            if (blocks % 8 != 0)
            {
                jpeg.Add((byte)(0xFF >> (blocks % 8)));
            }
        }

        Segment(0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(0xC2, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0);
        Segment(0xC4, [0x00, .. oneCodeTable]);
        Segment(0xC4, [0x10, .. oneCodeTable]);
        Scan(0, 0, 0, 0);
        for (byte k = 1; k <= 63; k++)
        {
            Scan(k, k, 0, firstBit);
            for (int bit = firstBit; bit > 0; bit--)
            {
                Scan(k, k, bit, bit - 1);
            }
        }

        jpeg.AddRange([0xFF, 0xD9]);
        return [.. jpeg];
    }
}
