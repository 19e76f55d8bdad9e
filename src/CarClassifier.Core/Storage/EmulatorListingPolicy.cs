using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CarClassifier.Core.Storage;

/// <summary>
/// Makes Azurite's container listing behave like Azure's when a blob name holds a character XML 1.0 cannot carry
/// (U+FFFE, U+FFFF, most C0 controls). Azure returns such a name percent-encoded (<c>&lt;Name Encoded="true"&gt;</c>);
/// Azurite 3.37 fails the whole page with an empty 500, so every listing of the container stops there: the WebJobs
/// polling blob trigger (XmlException, host crash), the reconciler and <c>carclass watch</c>.
/// When a flat listing on the emulator (loopback host or the devstoreaccount1 account) fails with 500, this policy
/// (1) answers with the longest page that does list, or, when the very first blob after the marker is the unlistable
/// one, (2) finds that blob's name by probing the emulator (its markers are blob names, compared as UTF-16 strings),
/// reads its properties and answers with it encoded as Azure would, and a continuation token past it. Anything else
/// (a real service, a listing with a delimiter, a name the probe cannot pin down) passes through unchanged, so the
/// caller still sees the failure. Applied to every blob client (<see cref="Configuration.StorageClientFactory.ApplyBlobDefaults"/>).
/// </summary>
public sealed class EmulatorListingPolicy : HttpPipelinePolicy
{
    // Skip markers found per (container, prefix, marker): the trigger polls the same page again and again.
    private static readonly ConcurrentDictionary<string, (string KnownPrefix, string Marker)> SkipCache = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, byte> Reported = new(StringComparer.Ordinal);

    private static ILogger _logger = NullLogger.Instance;

    /// <summary>
    /// Where the one line per unlistable blob goes; set by the hosts and <c>carclass watch</c> (a static: the WebJobs
    /// clients are built outside our DI). A new logger hears about every detour again.
    /// </summary>
    public static ILogger Logger
    {
        get => _logger;
        set
        {
            _logger = value ?? NullLogger.Instance;
            Reported.Clear();
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: true);

    private static async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        ArgumentNullException.ThrowIfNull(message);
        var query = ListQuery.TryParse(message.Request);
        if (query is null)
        {
            await SendAsync(message, pipeline, async).ConfigureAwait(false);
            return;
        }

        // Azurite's 500 for an unlistable name is deterministic: retrying it five times only delays the repair.
        var classifier = message.ResponseClassifier;
        var noRetry = new NoRetryOn500(classifier);
        message.ResponseClassifier = noRetry;
        try
        {
            await SendAsync(message, pipeline, async).ConfigureAwait(false);
            if (message.Response.Status != 500 || query.Delimiter is not null) return;
            bool repaired;
            noRetry.Probing = true;
            try
            {
                repaired = await RepairAsync(message, pipeline, query, async).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The repair is a courtesy: whatever goes wrong in it, the caller gets the listing's own failure.
                Logger.LogDebug(ex, "Could not repair the emulator's listing");
                repaired = false;
            }

            noRetry.Probing = false;
            if (!repaired)
            {
                query.ApplyTo(message.Request);
                await SendAsync(message, pipeline, async).ConfigureAwait(false);
            }
        }
        finally
        {
            message.ResponseClassifier = classifier;
        }
    }

    private static async ValueTask<bool> RepairAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, ListQuery query, bool async)
    {
        var maxResults = query.MaxResults ?? 5000;
        var prefix = query.Prefix ?? "";
        var after = query.Marker ?? "";
        var container = ContainerOf(message.Request);

        // (1) The page lists up to some blob: answer with the longest page that does.
        if (maxResults > 1 && await ProbeAsync(message, pipeline, query, after, 1, async).ConfigureAwait(false) is not ProbeResult.Failed)
        {
            int good = 1, bad = maxResults;
            while (bad - good > 1)
            {
                var mid = good + ((bad - good) / 2);
                if (await ProbeAsync(message, pipeline, query, after, mid, async).ConfigureAwait(false) is ProbeResult.Failed) bad = mid;
                else good = mid;
            }

            await ProbeAsync(message, pipeline, query, after, good, async).ConfigureAwait(false);
            return message.Response.Status == 200;
        }

        // (2) The next blob is the unlistable one. Azurite echoes the marker into the same XML, so a marker holding the
        // offending character fails too: the name cannot be read back, only the valid part before that character.
        // Answer with a page that skips the unlistable names (plus the blob at the skip marker itself, if one exists).
        var skip = await FindSkipMarkerAsync(message, pipeline, query, prefix, after, async).ConfigureAwait(false);
        if (skip is null)
        {
            Report(container, after, null);
            return false;
        }

        var list = message.Request.Uri.ToUri();
        message.Request.Method = RequestMethod.Head;
        message.Request.Uri.Reset(BlobUri(message.Request, container, skip.Value.Marker));
        var atMarker = await TrySendAsync(message, pipeline, async).ConfigureAwait(false) && message.Response.Status == 200 ? message.Response : null;
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(list);
        Report(container, after, skip.Value.KnownPrefix);
        var body = EnumerationXml(message.Request, container, atMarker is null ? null : skip.Value.Marker, atMarker, skip.Value.Marker);
        message.Response = new SyntheticResponse(body, "application/xml", message.Request.ClientRequestId);
        return true;
    }

    /// <summary>
    /// The first blob after <paramref name="after"/> cannot be listed. A listing of one blob after a marker X fails exactly
    /// while X is below that name, so its leading characters are found one UTF-16 unit at a time by binary search over
    /// the characters XML can carry. When the next character is U+FFFE or U+FFFF (above every valid one), every name from
    /// the unlistable one up to the known part with its last character incremented holds that character at that place:
    /// all unlistable, so that incremented string is a marker that skips exactly them. Null when the name cannot be pinned
    /// down that way (a control character, a surrogate).
    /// </summary>
    private static async ValueTask<(string KnownPrefix, string Marker)?> FindSkipMarkerAsync(
        HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, ListQuery query, string prefix, string after, bool async)
    {
        var cacheKey = $"{message.Request.Uri.Host}:{message.Request.Uri.Port}{message.Request.Uri.Path}\n{prefix}\n{after}";
        if (SkipCache.TryGetValue(cacheKey, out var cached)
            && await ProbeAsync(message, pipeline, query, cached.Marker, 1, async).ConfigureAwait(false) is not ProbeResult.Failed)
        {
            return cached;
        }

        async ValueTask<bool> Below(string marker)
        {
            var result = await ProbeAsync(message, pipeline, query, marker, 1, async).ConfigureAwait(false);
            return result is ProbeResult.Failed || (result is ProbeResult.Listed && string.CompareOrdinal(ListedName(message), after) <= 0);
        }

        var known = prefix;
        while (known.Length <= 1024)
        {
            int low = 0x1F, high = 0xFFFE; // Below(known + low) is assumed, Below(known + high) is not: search between.
            while (high - low > 1)
            {
                var mid = low + ((high - low) / 2);
                if (char.IsSurrogate((char)mid)) mid = mid < 0xDC00 ? 0xD7FF : 0xE000;
                if (mid <= low || mid >= high) break;
                if (await Below(known + (char)mid).ConfigureAwait(false)) low = mid;
                else high = mid;
            }

            if (low == 0x1F) return null; // a control character next: no valid marker sits just below it
            if (low < 0xFFFD)
            {
                known += (char)low;
                continue;
            }

            // Every valid character is still below the name: its next character is U+FFFE or U+FFFF.
            if (known.Length == 0) return null;
            var next = (char)(known[^1] + 1);
            if (char.IsSurrogate(next) || next >= 0xFFFE) return null;
            var skip = (known, known[..^1] + next);
            if (await ProbeAsync(message, pipeline, query, skip.Item2, 1, async).ConfigureAwait(false) is ProbeResult.Failed) return null;
            SkipCache[cacheKey] = skip;
            return skip;
        }

        return null;
    }

    private enum ProbeResult
    {
        Failed,
        Listed,
        Empty,
    }

    private static async ValueTask<ProbeResult> ProbeAsync(
        HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, ListQuery query, string marker, int maxResults, bool async)
    {
        var probe = query.Clone();
        probe.Marker = marker.Length == 0 ? null : marker;
        probe.MaxResults = maxResults;
        probe.ApplyTo(message.Request);
        if (!await TrySendAsync(message, pipeline, async).ConfigureAwait(false) || message.Response.Status != 200) return ProbeResult.Failed;
        return ListedName(message) is null ? ProbeResult.Empty : ProbeResult.Listed;
    }

    /// <summary>The first blob name of a successful listing response, or null when it lists none.</summary>
    private static string? ListedName(HttpMessage message)
    {
        var content = message.Response.Content;
        var document = XDocument.Parse(content.ToString());
        var name = document.Root?.Element("Blobs")?.Element("Blob")?.Element("Name");
        if (name is null) return null;
        return (string?)name.Attribute("Encoded") == "true" ? Uri.UnescapeDataString(name.Value) : name.Value;
    }

    private static byte[] EnumerationXml(Request request, string container, string? name, Azure.Response? head, string nextMarker)
    {
        string Header(string header) => head is not null && head.Headers.TryGetValue(header, out var value) ? value : "";
        var path = "/" + request.Uri.Path.Trim('/');
        var service = $"{request.Uri.ToUri().GetLeftPart(UriPartial.Authority)}{path[..path.LastIndexOf('/')]}";
        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                "EnumerationResults",
                new XAttribute("ServiceEndpoint", service),
                new XAttribute("ContainerName", container),
                new XElement(
                    "Blobs",
                    name is null ? null : new XElement(
                        "Blob",
                        new XElement("Name", new XAttribute("Encoded", "true"), Uri.EscapeDataString(name)),
                        new XElement(
                            "Properties",
                            new XElement("Creation-Time", Header("x-ms-creation-time")),
                            new XElement("Last-Modified", Header("Last-Modified")),
                            new XElement("Etag", Header("ETag")),
                            new XElement("Content-Length", Header("Content-Length")),
                            new XElement("Content-Type", Header("Content-Type")),
                            new XElement("BlobType", Header("x-ms-blob-type")),
                            new XElement("LeaseStatus", "unlocked"),
                            new XElement("LeaseState", "available"),
                            new XElement("ServerEncrypted", "true")))),
                new XElement("NextMarker", nextMarker)));
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
        {
            document.Save(writer);
        }

        return stream.ToArray();
    }

    private static void Report(string container, string after, string? knownPrefix)
    {
        var key = $"{container}\n{after}\n{knownPrefix}";
        if (!Reported.TryAdd(key, 0)) return;
        var page = after.Length == 0 ? "the first page" : $"the page after '{Text.VisibleText.Escape(after)}'";
        if (knownPrefix is null)
        {
            Logger.LogWarning(
                "Listing container {Container} fails at {Page}: the storage emulator answers 500 because a blob name there holds a character " +
                "XML cannot carry (a control character, U+FFFE, U+FFFF) and the name could not be narrowed down; rename or delete that blob",
                container, page);
        }
        else
        {
            Logger.LogWarning(
                "Listing container {Container}: skipped the blob(s) named '{KnownPrefix}' followed by U+FFFE or U+FFFF ({Page}): the storage emulator " +
                "cannot write such a name into a listing (Azure returns it encoded), so it gets no row here; rename or delete it",
                container, Text.VisibleText.Escape(knownPrefix), page);
        }
    }

    private static string ContainerOf(Request request) => Uri.UnescapeDataString(request.Uri.Path.TrimEnd('/').Split('/')[^1]);

    private static Uri BlobUri(Request request, string container, string name)
    {
        var path = "/" + request.Uri.Path.Trim('/');
        var account = path[..path.LastIndexOf('/')];
        var escaped = string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
        return new Uri($"{request.Uri.ToUri().GetLeftPart(UriPartial.Authority)}{account}/{Uri.EscapeDataString(container)}/{escaped}");
    }

    /// <summary>
    /// A probe: false when the emulator drops the connection instead of answering (Azurite 3.37 resets some of the
    /// connections it answers with its 500), which for a listing means the same as the 500.
    /// </summary>
    private static async ValueTask<bool> TrySendAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        try
        {
            await SendAsync(message, pipeline, async).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RequestFailedException or IOException or HttpRequestException or AggregateException)
        {
            return false;
        }
    }

    private const string HeadersProperty = "carclass.listing-headers";

    private static ValueTask SendAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        // Each send re-runs the later policies on the same request, and some add a header every time (hundreds of probes
        // ended in 431 Request Header Fields Too Large): start every send from the headers the request came with.
        if (message.TryGetProperty(HeadersProperty, out var saved) && saved is List<HttpHeader> headers)
        {
            foreach (var name in message.Request.Headers.Select(h => h.Name).ToList()) message.Request.Headers.Remove(name);
            foreach (var header in headers) message.Request.Headers.SetValue(header.Name, header.Value);
        }
        else
        {
            message.SetProperty(HeadersProperty, message.Request.Headers.ToList());
        }

        if (async) return ProcessNextAsync(message, pipeline);
        ProcessNext(message, pipeline);
        return ValueTask.CompletedTask;
    }

    private sealed class NoRetryOn500(ResponseClassifier inner) : ResponseClassifier
    {
        /// <summary>While probing nothing is retried: a probe that fails is an answer.</summary>
        public bool Probing { get; set; }

        public override bool IsRetriableResponse(HttpMessage message) => !Probing && message.Response.Status != 500 && inner.IsRetriableResponse(message);

        public override bool IsRetriableException(Exception exception) => !Probing && inner.IsRetriableException(exception);

        public override bool IsRetriable(HttpMessage message, Exception exception) => !Probing && inner.IsRetriable(message, exception);

        public override bool IsErrorResponse(HttpMessage message) => inner.IsErrorResponse(message);
    }

    /// <summary>The query of a flat List Blobs request (<c>restype=container&amp;comp=list</c>) on the emulator.</summary>
    private sealed class ListQuery
    {
        private List<KeyValuePair<string, string>> _pairs = [];

        public string? Marker { get => Get("marker"); set => Set("marker", value); }

        public string? Prefix { get => Get("prefix"); set => Set("prefix", value); }

        public string? Delimiter => Get("delimiter");

        public int? MaxResults
        {
            get => int.TryParse(Get("maxresults"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
            set => Set("maxresults", value?.ToString(CultureInfo.InvariantCulture));
        }

        public static ListQuery? TryParse(Request request)
        {
            if (request.Method != RequestMethod.Get) return null;
            var host = request.Uri.Host;
            var emulator = host is "127.0.0.1" or "localhost" or "[::1]" or "::1"
                || request.Uri.Path.TrimStart('/').StartsWith("devstoreaccount1/", StringComparison.Ordinal);
            if (!emulator) return null;
            var query = new ListQuery();
            foreach (var part in request.Uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                var key = Uri.UnescapeDataString(equals < 0 ? part : part[..equals]);
                var value = equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..]);
                query._pairs.Add(new(key, value));
            }

            return query.Get("comp") == "list" && query.Get("restype") == "container" ? query : null;
        }

        public ListQuery Clone() => new() { _pairs = [.. _pairs] };

        public void ApplyTo(Request request)
        {
            request.Uri.Query = "?" + string.Join('&', _pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        }

        private string? Get(string key) => _pairs.FirstOrDefault(p => p.Key == key).Value;

        private void Set(string key, string? value)
        {
            _pairs.RemoveAll(p => p.Key == key);
            if (value is not null) _pairs.Add(new(key, value));
        }
    }
}
