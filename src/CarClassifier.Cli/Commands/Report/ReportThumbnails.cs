using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Cli.Commands.Report;

/// <summary>
/// Small JPEG thumbnails of blobs for the report. File names are a hash of the blob path, never the blob
/// name itself, so no name (with "..", "/", odd characters) can write outside the report folder.
/// Images are read under the classifier's rules (<see cref="ImagePreview"/>: the same header probe, limits and total
/// failure policy, first frame only) and each decode first reserves its estimated memory in the same kind of budget
/// the classifier uses, so no file, however hostile, aborts the report or takes its memory (issue 15, hole 11).
/// </summary>
internal sealed class ReportThumbnails(ImageLimits limits, long maxBlobBytes, DecodeMemoryBudget memory)
{
    public const string Folder = "thumbs";

    /// <summary>Where the full-size copies go: the blob's own bytes, so the card's link shows the image as uploaded.</summary>
    public const string FullFolder = "full";

    public static string FileNameFor(string blobPath) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(blobPath)).AsSpan(0, 12)) + ".jpg";

    /// <summary>
    /// Writes the thumbnail, and beside it (in <see cref="FullFolder"/>) the blob's bytes under the same hash with the
    /// extension of the format found in them, so a browser opening the file shows it. Returns both paths relative to the
    /// report folder, or nulls with why there is no preview, in words
    /// (the card then says "no preview" and the reason). Throws only for cancellation, storage failures other than a
    /// deleted blob, and a report folder that cannot be written.
    /// </summary>
    public async Task<(string? RelativePath, string? FullPath, string? Problem)> WriteAsync(BlobClient blob, string blobPath, string outDir, int size, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            long length = properties.Value.ContentLength;
            if (length > maxBlobBytes)
            {
                return (null, null, $"the blob is {length} bytes, over the limit of {maxBlobBytes} bytes (Classifier:MaxBlobBytes)");
            }

            if (length == 0) return (null, null, "the blob is empty (0 bytes)");
            using var download = await memory.ReserveAsync(length, cancellationToken).ConfigureAwait(false);
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            bytes = content.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (null, null, "the blob was deleted");
        }

        byte[] jpeg;
        ImageFormat format;
        try
        {
            var (header, estimate) = ImagePreview.Probe(bytes, limits);
            format = header.Format;
            using var decode = await memory.ReserveAsync(bytes.LongLength + estimate, cancellationToken).ConfigureAwait(false);
            jpeg = ImagePreview.RenderJpeg(bytes, limits, size);
        }
        catch (ImageRejectedException ex)
        {
            return (null, null, ex.Message);
        }

        var name = FileNameFor(blobPath);
        await File.WriteAllBytesAsync(Path.Combine(outDir, Folder, name), jpeg, cancellationToken).ConfigureAwait(false);
        var full = Path.ChangeExtension(name, Extension(format));
        await File.WriteAllBytesAsync(Path.Combine(outDir, FullFolder, full), bytes, cancellationToken).ConfigureAwait(false);
        return ($"{Folder}/{name}", $"{FullFolder}/{full}", null);
    }

    private static string Extension(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => ".jpg",
        ImageFormat.Png => ".png",
        ImageFormat.Gif => ".gif",
        ImageFormat.Bmp => ".bmp",
        ImageFormat.Webp => ".webp",
        ImageFormat.Tiff => ".tif",
        ImageFormat.Avif => ".avif",
        _ => ".bin",
    };
}
