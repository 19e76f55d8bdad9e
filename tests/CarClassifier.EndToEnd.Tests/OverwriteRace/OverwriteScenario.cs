using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using CarClassifier.Core;
using CarClassifier.Core.Results;

namespace CarClassifier.EndToEnd.Tests.OverwriteRace;

/// <summary>
/// One run of the overwrite race, the same on every transport: each blob is uploaded red, and overwritten (green, and for
/// some blue after that) at a seeded random delay after the classifier began downloading its first version, while
/// <see cref="SlowDownloads"/> holds every download for a seeded random time, so older versions often finish after newer
/// ones. When the pipeline is idle every blob must have exactly one row, and it must describe the blob's final content:
/// its ETag and its colour.
/// </summary>
internal sealed class OverwriteScenario
{
    /// <summary>
    /// Longest hold (ms) of a blob's first download: well over what a newer version needs to overtake it (the trigger's
    /// 2 s polling, the queue's 2 s polling, a batch), so older versions often finish last.
    /// </summary>
    public const int MaxFirstDownloadDelayMs = 10_000;

    /// <summary>Longest hold (ms) of any later download.</summary>
    public const int MaxDownloadDelayMs = 1500;

    /// <summary>Longest wait (ms) between the first version's download and an overwrite (and between overwrites).</summary>
    public const int MaxOverwriteDelayMs = 2500;

    private static readonly string[] Versions = ["red", "green", "blue"];

    private readonly BlobContainerClient _images;
    private readonly ResultStore _results;
    private readonly Random _random;
    private readonly List<Blob> _blobs = [];

    public OverwriteScenario(BlobContainerClient images, ResultStore results, int seed, int blobCount)
    {
        _images = images;
        _results = results;
        _random = new Random(seed);
        Prefix = $"race-{seed}-{Guid.NewGuid():N}/";
        for (var i = 0; i < blobCount; i++)
        {
            // Two or three versions; the overwrite delays are drawn now so the whole run follows from the seed.
            var versions = _random.Next(3) == 0 ? 3 : 2;
            var delays = Enumerable.Range(0, versions - 1).Select(_ => _random.Next(MaxOverwriteDelayMs + 1)).ToArray();
            _blobs.Add(new Blob($"{Prefix}{i:D3}.png", Versions[..versions], delays));
        }
    }

    public string Prefix { get; }

    public int Overwrites => _blobs.Sum(b => b.Colours.Length - 1);

    /// <summary>After the assert: blobs where an older version's classification went on after the final version's download.</summary>
    public int Overtaken { get; private set; }

    /// <summary>Uploads every blob's first version (before the host starts: its start-up sweep sees them all).</summary>
    public async Task UploadFirstVersionsAsync()
    {
        foreach (var blob in _blobs) blob.FinalETag = await UploadAsync(blob.Name, blob.Colours[0]);
    }

    /// <summary>For each blob, in parallel: once its first version is being downloaded, overwrite it at the drawn delays.</summary>
    public async Task OverwriteWhileClassifyingAsync(SlowDownloads downloads, TimeSpan timeout)
    {
        await Task.WhenAll(_blobs.Select(async blob =>
        {
            await downloads.FirstDownload(blob.Name).WaitAsync(timeout);
            for (var v = 1; v < blob.Colours.Length; v++)
            {
                await Task.Delay(blob.Delays[v - 1]);
                blob.FinalETag = await UploadAsync(blob.Name, blob.Colours[v]);
            }
        }));
    }

    /// <summary>
    /// Polls until the pipeline is idle (<paramref name="idle"/>) and every row describes its blob's final version, then
    /// reads once more (so a stale write that lands late is caught) and asserts; also that the prefix holds one row per blob.
    /// </summary>
    public async Task AssertEveryRowDescribesTheFinalVersionAsync(Func<Task<bool>> idle, SlowDownloads downloads, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        List<string> wrong;
        do
        {
            wrong = await WrongRowsAsync(downloads);
            if (wrong.Count == 0 && await idle())
            {
                wrong = await WrongRowsAsync(downloads);
                if (wrong.Count == 0) break;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        var report = new StringBuilder();
        foreach (var line in wrong) report.AppendLine(line);
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {_blobs.Count} blobs ({Overwrites} overwrites) have no row for their final content:\n{report}");

        Overtaken = _blobs.Count(b => downloads.Overtaken(b.Name, b.FinalETag!));
        var rows = new List<ClassificationResult>();
        await foreach (var row in _results.ListAsync($"{PipelineNames.ImagesContainer}/{Prefix}")) rows.Add(row);
        Assert.Equal(_blobs.Count, rows.Count);
        Assert.Equal(_blobs.Count, rows.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
    }

    private async Task<List<string>> WrongRowsAsync(SlowDownloads downloads)
    {
        var wrong = new List<string>();
        foreach (var blob in _blobs)
        {
            var path = ResultKeys.BlobPath(PipelineNames.ImagesContainer, blob.Name);
            var row = await _results.GetAsync(path);
            var final = blob.Colours[^1];
            if (row is null)
            {
                wrong.Add($"{path}: no row (final {final}, {blob.FinalETag})");
            }
            else if (row.Status != nameof(ClassificationStatus.Succeeded) || row.Label != final || row.BlobETag?.Trim('"') != blob.FinalETag?.Trim('"'))
            {
                wrong.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: row {row.Status} {row.Label ?? row.ErrorKind} for ETag {row.BlobETag}, but the blob is {final} ({blob.FinalETag}); versions {string.Join(">", blob.Colours)}, overwrite delays {string.Join(",", blob.Delays)} ms; downloads: {downloads.Describe(blob.Name)}"));
            }
        }

        return wrong;
    }

    private async Task<string> UploadAsync(string name, string colour)
    {
        var response = await _images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(TestImages.Colours[colour], 64, 48)), overwrite: true);
        return response.Value.ETag.ToString();
    }

    private sealed record Blob(string Name, string[] Colours, int[] Delays)
    {
        public string? FinalETag { get; set; }
    }
}
