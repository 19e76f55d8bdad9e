namespace CarClassifier.Cli.Commands.Upload;

/// <summary>Content types for uploaded images, so a blob opened in a browser shows as an image.</summary>
internal static class ContentTypes
{
    public static string For(string file) => Path.GetExtension(file).ToUpperInvariant() switch
    {
        ".JPG" or ".JPEG" => "image/jpeg",
        ".PNG" => "image/png",
        ".GIF" => "image/gif",
        ".BMP" => "image/bmp",
        ".WEBP" => "image/webp",
        ".TIF" or ".TIFF" => "image/tiff",
        ".AVIF" => "image/avif",
        ".HEIC" or ".HEIF" => "image/heif",
        _ => "application/octet-stream",
    };
}
