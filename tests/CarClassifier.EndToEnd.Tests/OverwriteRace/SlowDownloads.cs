using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using CarClassifier.Core;

namespace CarClassifier.EndToEnd.Tests.OverwriteRace;

/// <summary>
/// A storage pipeline policy for the classifying host: every download of an image blob under the prefix is held for a
/// seeded random time after its response headers arrive (the bytes are already the version the GET saw), the way a slow
/// decode, a long batch wait or a loaded machine holds a classification in flight. Half the first downloads (drawn from
/// the seed) are held long, 60-100% of <c>maxFirstDelayMs</c>, longer than a newer version needs to be ingested and
/// classified, so the older version often finishes last; every other download up to <c>maxDelayMs</c>. It also tells the test when a blob's first download
/// began, so the test overwrites the blob while that version is being classified.
/// </summary>
internal sealed class SlowDownloads : HttpPipelinePolicy
{
    private readonly string _prefix;
    private readonly int _maxFirstDelayMs;
    private readonly int _maxDelayMs;
    private readonly Random _random;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _downloaded = new(StringComparer.Ordinal);

    public SlowDownloads(string blobPrefix, int maxFirstDelayMs, int maxDelayMs, int seed)
    {
        _prefix = $"/{PipelineNames.ImagesContainer}/{blobPrefix}";
        _maxFirstDelayMs = maxFirstDelayMs;
        _maxDelayMs = maxDelayMs;
        _random = new Random(seed);
    }

    /// <summary>Downloads held so far.</summary>
    public int Held => _held;

    private int _held;

    /// <summary>The downloads of <paramref name="blobName"/> so far: the ETag each got and how long it was held, for failure messages.</summary>
    public string Describe(string blobName) =>
        _log.TryGetValue(blobName, out var list) ? string.Join(", ", list.ToArray()) : "never downloaded";

    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _log = new(StringComparer.Ordinal);

    // Per blob, the ETag of each download in the order their holds ended (the order the classifications went on).
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _released = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether a download of an older version of <paramref name="blobName"/> was released after one of
    /// <paramref name="finalETag"/>: the race the test is about happened for this blob (its older classification went on
    /// after the final one had its bytes).
    /// </summary>
    public bool Overtaken(string blobName, string finalETag)
    {
        if (!_released.TryGetValue(blobName, out var order)) return false;
        var seenFinal = false;
        foreach (var etag in order)
        {
            if (etag.Trim('"') == finalETag.Trim('"')) seenFinal = true;
            else if (seenFinal) return true;
        }

        return false;
    }

    /// <summary>Completes when the classifier first downloads <paramref name="blobName"/> (any version).</summary>
    public Task FirstDownload(string blobName) => Signal(blobName).Task;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The pipeline's clients are async.");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        if (!IsDownload(message, out var blobName)) return;
        var first = Signal(blobName).TrySetResult();
        int delay;
        lock (_random)
        {
            delay = first && _random.Next(2) == 0 ? _random.Next(_maxFirstDelayMs * 3 / 5, _maxFirstDelayMs + 1) : _random.Next(_maxDelayMs + 1);
        }

        Interlocked.Increment(ref _held);
        _log.GetOrAdd(blobName, _ => new ConcurrentQueue<string>()).Enqueue($"{message.Response.Headers.ETag} held {delay} ms");
        await Task.Delay(delay, message.CancellationToken).ConfigureAwait(false);
        _released.GetOrAdd(blobName, _ => new ConcurrentQueue<string>()).Enqueue(message.Response.Headers.ETag?.ToString() ?? string.Empty);
    }

    private TaskCompletionSource Signal(string blobName) =>
        _downloaded.GetOrAdd(blobName, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>A GET of a blob itself (no <c>comp=</c>), answered 200 or 206, under the prefix.</summary>
    private bool IsDownload(HttpMessage message, out string blobName)
    {
        blobName = string.Empty;
        if (message.Request.Method != RequestMethod.Get || !message.HasResponse || message.Response.Status is not (200 or 206)) return false;
        var uri = message.Request.Uri.ToUri();
        if (uri.Query.Contains("comp=", StringComparison.Ordinal)) return false;
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        var at = path.IndexOf(_prefix, StringComparison.Ordinal);
        if (at < 0) return false;
        blobName = path[(at + PipelineNames.ImagesContainer.Length + 2)..];
        return true;
    }
}
