using Azure;
using Azure.Data.Tables;

namespace CarClassifier.Core.Results;

/// <summary>
/// Reads and writes the results table. Writes are upserts (replace) keyed by the blob path, so a
/// redelivered message or a re-run overwrites the row instead of adding a second one.
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

    public virtual async Task UpsertAsync(ClassificationResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        (result.PartitionKey, result.RowKey) = ResultKeys.For(result.BlobPath);
        await _table.UpsertEntityAsync(result, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

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
