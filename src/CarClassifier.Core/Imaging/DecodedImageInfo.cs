namespace CarClassifier.Core.Imaging;

/// <summary>What a decoder learned about the source image.</summary>
/// <param name="Format">Container format found in the bytes.</param>
/// <param name="Width">Width after EXIF orientation is applied.</param>
/// <param name="Height">Height after EXIF orientation is applied.</param>
public readonly record struct DecodedImageInfo(ImageFormat Format, int Width, int Height);
