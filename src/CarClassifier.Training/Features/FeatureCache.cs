using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace CarClassifier.Training.Features;

/// <summary>
/// Features on disk, one small file per image, keyed by the image's content hash inside a folder keyed by the base
/// model's sha256, the decoder and the preprocessing recipe: change any of those and the cache misses, rename or move a
/// photo and it still hits. Files are written to a temporary name and renamed, so Ctrl+C never leaves half a row.
/// </summary>
public sealed class FeatureCache
{
    private const string Extension = ".f32";

    public FeatureCache(string cacheRoot, string baseSha256, string decoder, string recipeJson, int width)
    {
        ArgumentNullException.ThrowIfNull(cacheRoot);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{baseSha256}\n{decoder}\n{recipeJson}\n{width}")))[..16];
        Folder = Path.Combine(Path.GetFullPath(cacheRoot), "features", $"{baseSha256[..12]}-{decoder}-{key}");
        RowLength = 2 * width;
    }

    public string Folder { get; }

    /// <summary>Floats per entry: the image's features, then its mirror image's.</summary>
    public int RowLength { get; }

    public float[]? TryGet(string imageSha256)
    {
        var path = PathFor(imageSha256);
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length != RowLength * sizeof(float)) return null;
            return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task PutAsync(string imageSha256, float[] row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Length != RowLength) throw new ArgumentException($"A cached row has {RowLength} floats.", nameof(row));
        Directory.CreateDirectory(Folder);
        var path = PathFor(imageSha256);
        var temp = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            await File.WriteAllBytesAsync(temp, MemoryMarshal.AsBytes(row.AsSpan()).ToArray(), cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string PathFor(string imageSha256)
    {
        if (imageSha256.Length != 64 || !imageSha256.All(char.IsAsciiHexDigitLower)) throw new ArgumentException("Not a sha256.", nameof(imageSha256));
        return Path.Combine(Folder, imageSha256 + Extension);
    }
}
