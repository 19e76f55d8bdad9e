using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// A storage pipeline policy that makes the download of chosen blobs hang for good (it ignores cancellation, as a stuck
/// decode or a wedged socket would) the first <c>times</c> it is asked, then lets it through: a hung batch on demand.
/// </summary>
internal sealed class HangingDownloads(IReadOnlyDictionary<string, int> timesByBlobName) : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
    private int _hung;

    /// <summary>Downloads held so far.</summary>
    public int Hung => Volatile.Read(ref _hung);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (ShouldHang(message)) Thread.Sleep(Timeout.Infinite);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (ShouldHang(message)) await new TaskCompletionSource().Task.ConfigureAwait(false);
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }

    private bool ShouldHang(HttpMessage message)
    {
        if (message.Request.Method != RequestMethod.Get) return false;
        var path = Uri.UnescapeDataString(message.Request.Uri.ToUri().AbsolutePath);
        foreach (var (name, times) in timesByBlobName)
        {
            if (!path.EndsWith("/" + name, StringComparison.Ordinal)) continue;
            if (_seen.AddOrUpdate(name, 1, (_, n) => n + 1) > times) return false;
            Interlocked.Increment(ref _hung);
            return true;
        }

        return false;
    }
}
