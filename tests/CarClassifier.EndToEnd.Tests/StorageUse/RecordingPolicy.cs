using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CarClassifier.EndToEnd.Tests.StorageUse;

/// <summary>
/// An Azure.Core pipeline policy that records every storage request a client sends (method, URI, and the body of table
/// requests whose target table is only in the body: table create and entity-group transactions).
/// </summary>
internal sealed class RecordingPolicy : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Record(HttpMessage message)
    {
        var request = message.Request;
        var uri = request.Uri.ToUri();
        string? body = null;
        var path = uri.AbsolutePath;
        if (request.Content is { } content && (path.EndsWith("/$batch", StringComparison.Ordinal) || path.EndsWith("/Tables", StringComparison.Ordinal)))
        {
            using var stream = new MemoryStream();
            content.WriteTo(stream, CancellationToken.None);
            body = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }

        _requests.Enqueue(new RecordedRequest(request.Method.Method, uri, body));
    }
}

internal sealed record RecordedRequest(string Method, Uri Uri, string? Body);
