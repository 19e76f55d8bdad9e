using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CarClassifier.Core.Results;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>
/// The batches in the images container: blobs grouped by their first path segment ("batch-7/"; blobs at the root form
/// the batch ""), with their counts. What <c>carclass batches</c> prints, and what <c>watch</c> and <c>results</c>
/// suggest when the prefix they were given holds nothing.
/// </summary>
internal static class BatchPrefixes
{
    /// <summary>Listing stops after this many blobs (the counts then say "at least").</summary>
    public const int MaxBlobs = 200_000;

    public sealed record Batch(string Prefix, int Blobs, DateTimeOffset LastModified);

    public static async Task<(IReadOnlyList<Batch> Batches, bool Truncated)> ListAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(container);
        var batches = new Dictionary<string, (int Count, DateTimeOffset Last)>(StringComparer.Ordinal);
        var seen = 0;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken).ConfigureAwait(false))
        {
            if (++seen > MaxBlobs) return (Order(batches), true);
            var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
            var prefix = slash < 0 ? "" : blob.Name[..(slash + 1)];
            var modified = blob.Properties.LastModified ?? DateTimeOffset.MinValue;
            batches[prefix] = batches.TryGetValue(prefix, out var b) ? (b.Count + 1, modified > b.Last ? modified : b.Last) : (1, modified);
        }

        return (Order(batches), false);
    }

    /// <summary>"run-20261130-051200/ (12), batch-7/ (3)": the newest first, at most <paramref name="max"/>.</summary>
    public static string Suggest(IReadOnlyList<Batch> batches, int max = 5)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0) return "The images container is empty: upload with carclass upload <FOLDER> --prefix <PREFIX>.";
        var shown = string.Join(", ", batches.Take(max).Select(b => $"{(b.Prefix.Length == 0 ? "(root)" : b.Prefix)} ({b.Blobs})"));
        return $"Prefixes that exist: {shown}{(batches.Count > max ? $" and {batches.Count - max} more (carclass batches)" : "")}.";
    }

    /// <summary>Rows per batch: succeeded and failed counts keyed by the batch prefix.</summary>
    public static async Task<IReadOnlyDictionary<string, (int Succeeded, int Failed)>> CountRowsAsync(ResultStore results, string container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        var counts = new Dictionary<string, (int Succeeded, int Failed)>(StringComparer.Ordinal);
        await foreach (var row in results.ListAsync(ResultKeys.BlobPath(container, ""), cancellationToken).ConfigureAwait(false))
        {
            var name = row.BlobPath.Length > container.Length + 1 ? row.BlobPath[(container.Length + 1)..] : row.BlobPath;
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            var prefix = slash < 0 ? "" : name[..(slash + 1)];
            var ok = row.Status == nameof(ClassificationStatus.Succeeded);
            counts[prefix] = counts.TryGetValue(prefix, out var c) ? (c.Succeeded + (ok ? 1 : 0), c.Failed + (ok ? 0 : 1)) : (ok ? 1 : 0, ok ? 0 : 1);
        }

        return counts;
    }

    private static List<Batch> Order(Dictionary<string, (int Count, DateTimeOffset Last)> batches) =>
        batches.Select(b => new Batch(b.Key, b.Value.Count, b.Value.Last)).OrderByDescending(b => b.LastModified).ThenBy(b => b.Prefix, StringComparer.Ordinal).ToList();
}
