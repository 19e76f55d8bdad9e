namespace CarClassifier.Core.Imaging;

/// <summary>
/// The geometry of one preprocessing run, shared by every decoder so they resize and crop identically.
/// Sizes follow torchvision: <c>Resize(n)</c> scales the shorter side to n and the longer to
/// <c>int(n * long / short)</c>; <c>CenterCrop</c> starts at <c>int(round((size - crop) / 2.0))</c>
/// (Python rounds halves to even, as <see cref="Math.Round(double)"/> does).
/// Decoders resize only the window (<see cref="WindowX"/>, <see cref="WindowY"/>, <see cref="WindowWidth"/> by
/// <see cref="WindowHeight"/>): the part of the resized image, in the stored (not yet EXIF-oriented) frame, that
/// becomes the crop. Resampling gives each output pixel the same value whether
/// or not its neighbours are computed, so this equals "resize everything, then crop", at a fraction of the
/// cost, and it keeps extreme aspect ratios (10000x1 upscaled to 2560000x256) cheap.
/// </summary>
/// <param name="Orientation">EXIF orientation 1..8 to apply after resizing.</param>
/// <param name="ResizedWidth">Width of the whole resized image in the stored frame.</param>
/// <param name="ResizedHeight">Height of the whole resized image in the stored frame.</param>
/// <param name="WindowX">Left of the window inside the resized stored-frame image.</param>
/// <param name="WindowY">Top of the window inside the resized stored-frame image.</param>
/// <param name="WindowWidth">Window width (the crop width, or crop height when orientation swaps axes).</param>
/// <param name="WindowHeight">Window height.</param>
internal readonly record struct PreprocessPlan(
    int Orientation, int ResizedWidth, int ResizedHeight, int WindowX, int WindowY, int WindowWidth, int WindowHeight)
{
    public static PreprocessPlan Create(int storedWidth, int storedHeight, int orientation, PreprocessRecipe recipe)
    {
        bool swap = orientation is >= 5 and <= 8;
        (int uprightWidth, int uprightHeight) = swap ? (storedHeight, storedWidth) : (storedWidth, storedHeight);
        (int resizedUprightWidth, int resizedUprightHeight) = ResizedSize(uprightWidth, uprightHeight, recipe.ResizeShorterSide);

        int left = CropOffset(resizedUprightWidth, recipe.CropWidth);
        int top = CropOffset(resizedUprightHeight, recipe.CropHeight);

        (int resizedWidth, int resizedHeight) = swap ? (resizedUprightHeight, resizedUprightWidth) : (resizedUprightWidth, resizedUprightHeight);

        // Map the crop's opposite corners into the stored frame; orientation maps rectangles to rectangles.
        (int x0, int y0) = MapToStored(orientation, left, top, resizedWidth, resizedHeight);
        (int x1, int y1) = MapToStored(orientation, left + recipe.CropWidth - 1, top + recipe.CropHeight - 1, resizedWidth, resizedHeight);
        int windowX = Math.Min(x0, x1);
        int windowY = Math.Min(y0, y1);
        return new PreprocessPlan(
            orientation, resizedWidth, resizedHeight, windowX, windowY, Math.Abs(x1 - x0) + 1, Math.Abs(y1 - y0) + 1);
    }

    /// <summary>torchvision's size for <c>Resize(shorterSide)</c>: the shorter side becomes exactly <paramref name="shorterSide"/>.</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int shorterSide)
    {
        if (width <= height)
        {
            return (shorterSide, (int)((long)shorterSide * height / width));
        }

        return ((int)((long)shorterSide * width / height), shorterSide);
    }

    /// <summary>torchvision's centre-crop offset: <c>int(round((size - crop) / 2.0))</c>, halves to even.</summary>
    public static int CropOffset(int size, int crop) => (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);

    /// <summary>
    /// Where the upright pixel (x, y) lives in a stored-frame image of <paramref name="storedWidth"/> x
    /// <paramref name="storedHeight"/> with the given EXIF orientation.
    /// </summary>
    public static (int X, int Y) MapToStored(int orientation, int x, int y, int storedWidth, int storedHeight) => orientation switch
    {
        2 => (storedWidth - 1 - x, y),                      // mirrored horizontally
        3 => (storedWidth - 1 - x, storedHeight - 1 - y),   // rotated 180
        4 => (x, storedHeight - 1 - y),                     // mirrored vertically
        5 => (y, x),                                        // transposed
        6 => (y, storedHeight - 1 - x),                     // stored rotated 90 counter-clockwise: turn clockwise
        7 => (storedWidth - 1 - y, storedHeight - 1 - x),   // transversed
        8 => (storedWidth - 1 - y, x),                      // stored rotated 90 clockwise: turn counter-clockwise
        _ => (x, y),
    };
}
