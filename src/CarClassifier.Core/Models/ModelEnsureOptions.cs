namespace CarClassifier.Core.Models;

/// <summary>What <c>ModelStore.EnsureModelAsync</c> may do when the weights are not already in the cache.</summary>
public sealed record ModelEnsureOptions
{
    public static ModelEnsureOptions Default { get; } = new();

    /// <summary>Download from the manifest's source URL. Hosts without internet turn this off to fail fast.</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Generate the weights when the manifest names a generator.</summary>
    public bool AllowGenerate { get; init; } = true;

    /// <summary>
    /// Delete a cached file whose sha256 is wrong and fetch it again. Off by default: a corrupt
    /// 100 MB file is worth a human look (disk trouble, wrong model copied in) before it is replaced.
    /// </summary>
    public bool ReplaceCorruptFile { get; init; }
}
