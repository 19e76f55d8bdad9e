using System.Buffers;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// The last step every decoder shares, so their semantics are identical: take the resized window (still in
/// the stored frame), apply the EXIF orientation, composite alpha on white, and write
/// <c>((v * Scale) - mean) / std</c> per channel in the recipe's channel order and layout.
/// </summary>
internal static class TensorWriter
{
    private const int StackRowLimit = 1024;

    /// <summary>
    /// Writes <see cref="PreprocessRecipe.ImageTensorLength"/> floats. <paramref name="window"/> holds
    /// <see cref="PreprocessPlan.WindowWidth"/> x <see cref="PreprocessPlan.WindowHeight"/> pixels, rows
    /// <paramref name="stride"/> bytes apart.
    /// </summary>
    public static void Write(
        ReadOnlySpan<byte> window, int stride, WindowPixelFormat pixelFormat, in PreprocessPlan plan, PreprocessRecipe recipe, Span<float> destination)
    {
        int cropWidth = recipe.CropWidth;
        int cropHeight = recipe.CropHeight;
        int bytesPerPixel = pixelFormat == WindowPixelFormat.Rgb24 ? 3 : 4;

        // One 256-entry table per output channel: normalising a byte becomes a lookup.
        Span<float> lookup = stackalloc float[3 * 256];
        int firstSource = recipe.ChannelOrder == ChannelOrder.Bgr ? 2 : 0;
        for (int c = 0; c < 3; c++)
        {
            float mean = recipe.Mean[c];
            float std = recipe.Std[c];
            for (int v = 0; v < 256; v++)
            {
                lookup[(c * 256) + v] = ((v * recipe.Scale) - mean) / std;
            }
        }

        ReadOnlySpan<float> lut0 = lookup[..256];
        ReadOnlySpan<float> lut1 = lookup.Slice(256, 256);
        ReadOnlySpan<float> lut2 = lookup.Slice(512, 256);
        int source0 = firstSource;
        int source2 = 2 - firstSource;

        byte[]? rented = null;
        var row = cropWidth <= StackRowLimit
            ? stackalloc byte[3 * StackRowLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(3 * cropWidth));
        row = row[..(3 * cropWidth)];
        try
        {
            int plane = cropWidth * cropHeight;
            for (int y = 0; y < cropHeight; y++)
            {
                GatherRow(window, stride, bytesPerPixel, pixelFormat, plan, y, row);

                if (recipe.Layout == TensorLayout.Nchw)
                {
                    var d0 = destination.Slice(y * cropWidth, cropWidth);
                    var d1 = destination.Slice(plane + (y * cropWidth), cropWidth);
                    var d2 = destination.Slice((2 * plane) + (y * cropWidth), cropWidth);
                    for (int x = 0, i = 0; x < cropWidth; x++, i += 3)
                    {
                        d0[x] = lut0[row[i + source0]];
                        d1[x] = lut1[row[i + 1]];
                        d2[x] = lut2[row[i + source2]];
                    }
                }
                else
                {
                    var d = destination.Slice(y * cropWidth * 3, cropWidth * 3);
                    for (int i = 0; i < d.Length; i += 3)
                    {
                        d[i] = lut0[row[i + source0]];
                        d[i + 1] = lut1[row[i + 1]];
                        d[i + 2] = lut2[row[i + source2]];
                    }
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Reads upright crop row <paramref name="y"/> from the stored-frame window as opaque RGB.</summary>
    private static void GatherRow(
        ReadOnlySpan<byte> window, int stride, int bytesPerPixel, WindowPixelFormat pixelFormat, in PreprocessPlan plan, int y, Span<byte> row)
    {
        // Orientation is affine, so walking along an upright row is a constant step through the window.
        (int x0, int y0) = PreprocessPlan.MapToStored(plan.Orientation, 0, y, plan.WindowWidth, plan.WindowHeight);
        (int x1, int y1) = PreprocessPlan.MapToStored(plan.Orientation, 1, y, plan.WindowWidth, plan.WindowHeight);
        int offset = (y0 * stride) + (x0 * bytesPerPixel);
        int step = ((y1 - y0) * stride) + ((x1 - x0) * bytesPerPixel);

        switch (pixelFormat)
        {
            case WindowPixelFormat.Rgb24:
                for (int i = 0; i < row.Length; i += 3, offset += step)
                {
                    row[i] = window[offset];
                    row[i + 1] = window[offset + 1];
                    row[i + 2] = window[offset + 2];
                }

                break;

            // Alpha is composited on WHITE: that is what a person sees in an image viewer or browser, so a
            // transparent logo or cut-out car is classified as displayed. (Dropping alpha instead would expose
            // whatever colour happens to be stored under transparent pixels, often black.)
            case WindowPixelFormat.Rgba32:
                for (int i = 0; i < row.Length; i += 3, offset += step)
                {
                    int transparency = 255 - window[offset + 3];
                    row[i] = OverWhite(window[offset], transparency);
                    row[i + 1] = OverWhite(window[offset + 1], transparency);
                    row[i + 2] = OverWhite(window[offset + 2], transparency);
                }

                break;

            default:
                for (int i = 0; i < row.Length; i += 3, offset += step)
                {
                    int transparency = 255 - window[offset + 3];
                    row[i] = (byte)Math.Min(255, window[offset] + transparency);
                    row[i + 1] = (byte)Math.Min(255, window[offset + 1] + transparency);
                    row[i + 2] = (byte)Math.Min(255, window[offset + 2] + transparency);
                }

                break;
        }
    }

    /// <summary>c * a + 255 * (1 - a), in integers: c + (255 - c) * (255 - a) / 255, rounded.</summary>
    private static byte OverWhite(int colour, int transparency) =>
        (byte)(colour + ((((255 - colour) * transparency) + 127) / 255));
}
