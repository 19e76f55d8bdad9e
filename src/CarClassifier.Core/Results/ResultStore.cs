using Azure;
using Azure.Data.Tables;

namespace CarClassifier.Core.Results;

/// <summary>
/// Reads and writes the results table: one row per blob path, so a redelivered message or a re-run replaces the row
/// instead of adding a second one. The pipeline writes with <see cref="WriteIfCurrentAsync"/>, which never lets a row
/// for an older version of a blob replace the row of a newer one (docs/RELIABILITY.md, "Overwritten blobs").
/// </summary>
public class ResultStore
{
    private readonly TableClient _table;

    public ResultStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
    }

    /// <summary>For mocking frameworks only.</summary>
    protected ResultStore()
    {
        _table = null!;
    }

    /// <summary>
    /// Replaces the row unconditionally. For tools and tests that seed rows; the pipeline's writers use
    /// <see cref="WriteIfCurrentAsync"/>, since a blank replace lets whichever classification finishes last win.
    /// </summary>
    public virtual async Task UpsertAsync(ClassificationResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        (result.PartitionKey, result.RowKey) = ResultKeys.For(result.BlobPath);
        await _table.UpsertEntityAsync(result, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Most rounds of read-and-replace one write makes before giving up (each lost round means another writer won one).</summary>
    private const int MaxWriteRounds = 16;

    /// <summary>
    /// Writes <paramref name="row"/> unless it describes a blob version (<see cref="ClassificationResult.BlobETag"/>; null:
    /// the blob does not exist) that is no longer the blob's current one. Blob ETags are opaque (not ordered), so "current"
    /// is asked of the blob itself, and every write is conditional on the table entity's ETag:
    /// <list type="number">
    /// <item>Add if absent: no row at all means no newer version's row was ever written, and this version was current
    /// when the caller saw it (downloaded it, or read its properties), so a newer one, uploaded after, writes later.</item>
    /// <item>Otherwise read the row (and its entity ETag). If the caller's <paramref name="keepExisting"/> chooses it, stop.
    /// If it describes another blob version, read the blob's current ETag <em>after</em> that read: when it is not this
    /// row's, the blob changed since this version was read and the newer version's own message writes its row, so stop
    /// (<see cref="RowWrite.Superseded"/>).</item>
    /// <item>Replace If-Match the entity ETag read in step 2. A 412 means another writer got in between: start again
    /// at step 2, so the check is made against what that writer wrote.</item>
    /// </list>
    /// The last successful write therefore always describes a version that was current after every earlier write, and
    /// the final version's writer, whose check can never fail, writes after any write that came before its upload.
    /// </summary>
    /// <param name="currentBlobETag">Reads the blob's current ETag (null when it does not exist); see <see cref="Storage.CurrentBlobVersion"/>.</param>
    /// <param name="keepExisting">Optional: true for an existing row that must stay (e.g. a finished row a Poisoned one must not replace).</param>
    public virtual async Task<RowWrite> WriteIfCurrentAsync(
        ClassificationResult row,
        Func<CancellationToken, Task<string?>> currentBlobETag,
        Func<ClassificationResult, bool>? keepExisting = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(currentBlobETag);
        (row.PartitionKey, row.RowKey) = ResultKeys.For(row.BlobPath);
        for (var round = 1; ; round++)
        {
            try
            {
                await _table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
                return RowWrite.Written;
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && round < MaxWriteRounds)
            {
                // A row exists: read it and replace it conditionally.
            }

            var existing = await _table.GetEntityIfExistsAsync<ClassificationResult>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (!existing.HasValue) continue; // Deleted since the add failed: add again.
            var current = existing.Value!;
            if (keepExisting?.Invoke(current) == true) return RowWrite.KeptExisting;
            if (!SameBlobVersion(current.BlobETag, row.BlobETag)
                && !SameBlobVersion(await currentBlobETag(cancellationToken).ConfigureAwait(false), row.BlobETag))
            {
                return RowWrite.Superseded;
            }

            try
            {
                await _table.UpdateEntityAsync(row, current.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return RowWrite.Written;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404 && round < MaxWriteRounds)
            {
                // Another writer replaced (or someone deleted) the row since it was read: decide again on what is there now.
            }
        }
    }

    /// <summary>Whether two blob ETags name the same version (quotes ignored); null, no blob, matches only null.</summary>
    public static bool SameBlobVersion(string? a, string? b) => a is null || b is null ? a is null && b is null : a.Trim('"') == b.Trim('"');

    /// <summary>Point read by blob path; null when the blob has no row (yet).</summary>
    public virtual async Task<ClassificationResult?> GetAsync(string blobPath, CancellationToken cancellationToken = default)
    {
        var (partition, row) = ResultKeys.For(blobPath);
        var response = await _table.GetEntityIfExistsAsync<ClassificationResult>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>All rows, optionally only those whose blob path starts with <paramref name="pathPrefix"/>.</summary>
    public virtual async IAsyncEnumerable<ClassificationResult> ListAsync(
        string? pathPrefix = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in _table.QueryAsync<ClassificationResult>(PrefixFilter(pathPrefix), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>
    /// One page of the rows whose blob path starts with <paramref name="pathPrefix"/>, resuming after
    /// <paramref name="continuationToken"/> (null for the first page). The returned token is null on the last page.
    /// </summary>
    public virtual async Task<ResultPage<ClassificationResult>> ListPageAsync(
        string? pathPrefix, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var pages = _table.QueryAsync<ClassificationResult>(PrefixFilter(pathPrefix), maxPerPage: pageSize, cancellationToken: cancellationToken)
            .AsPages(string.IsNullOrEmpty(continuationToken) ? null : continuationToken, pageSize);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            return new ResultPage<ClassificationResult>(page.Values, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }

        return new ResultPage<ClassificationResult>([], null);
    }

    /// <summary>Creates the table if it does not exist (local runs; Bicep creates it in Azure).</summary>
    public virtual async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another host created it between our check and our create.
        }
    }

    /// <summary>Rows are spread over hash partitions, so a prefix becomes a row-key range in each of them.</summary>
    private static string? PrefixFilter(string? pathPrefix)
    {
        if (string.IsNullOrEmpty(pathPrefix)) return null;
        var low = ResultKeys.Escape(pathPrefix);
        var high = low + '\uffff';
        return TableClient.CreateQueryFilter($"RowKey ge {low} and RowKey lt {high}");
    }
}
