using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;

namespace CarClassifier.Core.Storage;

/// <summary>A 200 response made up by <see cref="EmulatorListingPolicy"/>: a body and a content type, nothing else.</summary>
internal sealed class SyntheticResponse(byte[] body, string contentType, string clientRequestId) : Response
{
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Content-Type"] = contentType,
        ["Content-Length"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public override int Status => 200;

    public override string ReasonPhrase => "OK";

    public override Stream? ContentStream { get; set; } = new MemoryStream(body, writable: false);

    public override string ClientRequestId { get; set; } = clientRequestId;

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool ContainsHeader(string name) => _headers.ContainsKey(name);

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers.Select(h => new HttpHeader(h.Key, h.Value));

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => _headers.TryGetValue(name, out value);

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = _headers.TryGetValue(name, out var value) ? [value] : null;
        return values is not null;
    }
}
