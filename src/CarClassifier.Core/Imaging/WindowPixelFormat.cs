namespace CarClassifier.Core.Imaging;

/// <summary>How the resized window's pixels are laid out when handed to <see cref="TensorWriter"/>.</summary>
internal enum WindowPixelFormat
{
    /// <summary>3 bytes per pixel, R G B, opaque.</summary>
    Rgb24,

    /// <summary>4 bytes per pixel, R G B A, colour not multiplied by alpha (ImageSharp's Rgba32).</summary>
    Rgba32,

    /// <summary>4 bytes per pixel, R G B A, colour already multiplied by alpha (Skia's premultiplied RGBA_8888).</summary>
    Rgba32Premultiplied,
}
