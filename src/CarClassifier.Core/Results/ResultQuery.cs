using System.Text.Json;
using CarClassifier.Core.Postprocessing;
using CarClassifier.Core.Vehicles;

namespace CarClassifier.Core.Results;

/// <summary>
/// Reads results as <see cref="ResultView"/>s for people and programs: one blob, a page, or everything under
/// a prefix. Blob names are relative to the images container (<see cref="PipelineNames.ImagesContainer"/>),
/// as users uploaded them. Shared by the CLI and the HTTP API, so both show the same fields.
/// </summary>
public sealed class ResultQuery
{
    public const int DefaultPageSize = 100;

    public const int MaxPageSize = 1000;

    private static readonly JsonSerializerOptions TopKJson = new(JsonSerializerDefaults.Web);

    private readonly ResultStore _store;
    private readonly VehicleTypeCatalog? _vehicles;

    public ResultQuery(ResultStore store, VehicleTypeCatalog? vehicles)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _vehicles = vehicles;
    }

    /// <summary>The row of one blob, or null when it has none (yet).</summary>
    public async Task<ResultView?> GetAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var row = await _store.GetAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName), cancellationToken).ConfigureAwait(false);
        return row is null ? null : await ToViewAsync(row, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of rows whose blob name starts with <paramref name="prefix"/>. Pages follow the table's order
    /// (hash partitions, then name), may hold fewer than <paramref name="pageSize"/> rows even when more follow,
    /// and end when the returned token is null.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is outside 1..<see cref="MaxPageSize"/>.</exception>
    public async Task<ResultPage<ResultView>> GetPageAsync(string? prefix, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        var page = await _store.ListPageAsync(PathPrefix(prefix), pageSize, continuationToken, cancellationToken).ConfigureAwait(false);
        var views = new List<ResultView>(page.Items.Count);
        foreach (var row in page.Items) views.Add(await ToViewAsync(row, cancellationToken).ConfigureAwait(false));
        return new ResultPage<ResultView>(views, page.ContinuationToken);
    }

    /// <summary>Every row whose blob name starts with <paramref name="prefix"/>, sorted by blob name.</summary>
    public async Task<IReadOnlyList<ResultView>> ListAsync(string? prefix, CancellationToken cancellationToken = default)
    {
        var views = new List<ResultView>();
        await foreach (var row in _store.ListAsync(PathPrefix(prefix), cancellationToken).ConfigureAwait(false))
        {
            views.Add(await ToViewAsync(row, cancellationToken).ConfigureAwait(false));
        }

        views.Sort((a, b) => string.CompareOrdinal(a.BlobName, b.BlobName));
        return views;
    }

    /// <summary>Turns a stored row into its view: top-k parsed, vehicle type added.</summary>
    public async Task<ResultView> ToViewAsync(ClassificationResult row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var topK = ParseTopK(row.TopK);
        VehicleView? vehicle = null;
        if (_vehicles is not null && topK.Count > 0 && row.Status == nameof(ClassificationStatus.Succeeded))
        {
            var map = await _vehicles.GetAsync(row.Model, cancellationToken).ConfigureAwait(false);
            vehicle = map?.Classify(topK);
        }

        var containerPrefix = PipelineNames.ImagesContainer + "/";
        return new ResultView
        {
            BlobPath = row.BlobPath,
            BlobName = row.BlobPath.StartsWith(containerPrefix, StringComparison.Ordinal) ? row.BlobPath[containerPrefix.Length..] : row.BlobPath,
            Status = row.Status,
            Label = row.Label,
            Probability = row.Probability,
            VehicleType = vehicle?.Type,
            VehicleProbability = vehicle?.Probability,
            TopK = topK,
            Model = row.Model,
            ErrorKind = row.ErrorKind,
            Error = row.Error,
            BlobSizeBytes = row.BlobSizeBytes,
            BlobETag = row.BlobETag,
            BatchSize = row.BatchSize,
            QueueWaitMs = row.QueueWaitMs,
            ProbeMs = row.ProbeMs,
            DecodeMs = row.DecodeMs,
            InferenceMs = row.InferenceMs,
            ProcessedAt = row.ProcessedAt,
            CorrelationId = row.CorrelationId,
            DequeueCount = row.DequeueCount,
        };
    }

    /// <summary>Parses the stored top-k JSON; an unreadable value reads as empty rather than failing the whole listing.</summary>
    public static IReadOnlyList<ClassScore> ParseTopK(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<ClassScore>>(json, TopKJson) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string PathPrefix(string? prefix) => ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix ?? "");
}
