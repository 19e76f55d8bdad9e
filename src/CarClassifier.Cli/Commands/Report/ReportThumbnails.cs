using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using CarClassifier.Cli.Commands.Shared;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CarClassifier.Cli.Commands.Report;

/// <summary>
/// Small JPEG thumbnails of blobs for the report. File names are a hash of the blob path, never the blob
/// name itself, so no name (with "..", "/", odd characters) can write outside the report folder.
/// </summary>
internal static class ReportThumbnails
{
    /// <summary>Larger blobs are not downloaded for a thumbnail (the pipeline's own default limit).</summary>
    private const long MaxBlobBytes = 50L * 1024 * 1024;

    /// <summary>Images with more pixels are not decoded for a thumbnail (decompression bombs).</summary>
    private const long MaxPixels = 50_000_000;

    public const string Folder = "thumbs";

    public static string FileNameFor(string blobPath) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(blobPath)).AsSpan(0, 12)) + ".jpg";

    /// <summary>Writes the thumbnail; returns its path relative to the report folder, or null (with why) when the blob has none.</summary>
    public static async Task<(string? RelativePath, string? Problem)> WriteAsync(BlobClient blob, string blobPath, string outDir, int size, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (properties.Value.ContentLength > MaxBlobBytes) return (null, "too large for a thumbnail");
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var bytes = content.Value.Content.ToArray();
            var info = Image.Identify(bytes);
            if (info is null) return (null, "not an image");
            if ((long)info.Width * info.Height > MaxPixels) return (null, "too many pixels for a thumbnail");
            using var image = Image.Load<Rgb24>(bytes);
            image.Mutate(x => x.AutoOrient().Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(size, size) }));
            var name = FileNameFor(blobPath);
            var path = Path.Combine(outDir, Folder, name);
            await image.SaveAsJpegAsync(path, new JpegEncoder { Quality = 80 }, cancellationToken).ConfigureAwait(false);
            return ($"{Folder}/{name}", null);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (null, "blob deleted");
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException or InvalidOperationException or ArgumentException)
        {
            return (null, "cannot be decoded");
        }
    }
}
