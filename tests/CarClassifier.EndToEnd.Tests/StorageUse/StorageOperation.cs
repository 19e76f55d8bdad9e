using System.Text.RegularExpressions;

namespace CarClassifier.EndToEnd.Tests.StorageUse;

/// <summary>
/// What a recorded request does, in the storage use table's words: the service (blob, queue, table), the resource
/// (container, queue or table name) and the operation (read, write, delete, create, send, process). Follows the REST
/// operations of the Blob, Queue and Table services ("Azure Storage services REST API reference", learn.microsoft.com)
/// on Azurite's path-style URIs: http://host:port/devstoreaccount1/&lt;resource&gt;/...
/// </summary>
internal sealed partial record StorageOperation(string Service, string Resource, string Op)
{
    public override string ToString() => $"{Service} {Resource}: {Op}";

    public static IEnumerable<StorageOperation> From(RecordedRequest request, int blobPort, int queuePort, int tablePort)
    {
        var segments = request.Uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Uri.UnescapeDataString).ToArray();
        var query = request.Uri.Query;
        var method = request.Method;
        var port = request.Uri.Port;
        if (port == blobPort) return [Blob(segments, query, method)];
        if (port == queuePort) return [Queue(segments, query, method)];
        if (port == tablePort) return Table(segments, method, request.Body);
        throw new InvalidOperationException($"Request to an unknown port: {method} {request.Uri}");
    }

    private static StorageOperation Blob(string[] segments, string query, string method)
    {
        var container = segments.Length > 0 ? segments[0] : "(account)";
        var containerLevel = segments.Length <= 1;
        var op = method switch
        {
            "GET" or "HEAD" => "read",
            "PUT" when containerLevel && Has(query, "restype=container") && !Has(query, "comp=") => "create",
            "PUT" => "write",
            "DELETE" => "delete",
            _ => "unknown:" + method,
        };
        return new StorageOperation("blob", container, op);
    }

    private static StorageOperation Queue(string[] segments, string query, string method)
    {
        var queue = segments.Length > 0 ? segments[0] : "(account)";
        var messages = segments.Length > 1 && segments[1] == "messages";
        var op = (messages, method) switch
        {
            (false, "PUT") when !Has(query, "comp=") => "create",
            (false, "PUT") => "write",
            (false, "DELETE") => "delete",
            (false, "GET" or "HEAD") => "read",
            (true, "POST") => "send",
            (true, "GET") when Has(query, "peekonly=true") => "read",
            (true, "GET") => "process",
            (true, "DELETE") when segments.Length > 2 => "process",
            (true, "PUT") => "process",
            (true, "DELETE") => "delete",
            _ => "unknown:" + method,
        };
        return new StorageOperation("queue", queue, op);
    }

    private static IEnumerable<StorageOperation> Table(string[] segments, string method, string? body)
    {
        var first = segments.Length > 0 ? segments[0] : "(account)";
        if (first == "$batch")
        {
            // An entity-group transaction: each part names its table in its request line.
            foreach (Match part in BatchPart().Matches(body ?? ""))
            {
                var partMethod = part.Groups["method"].Value;
                yield return new StorageOperation("table", part.Groups["table"].Value, partMethod == "GET" ? "read" : partMethod == "DELETE" ? "delete" : "write");
            }

            yield break;
        }

        if (first.StartsWith("Tables", StringComparison.Ordinal))
        {
            var name = TableNameInTables().Match(first) is { Success: true } m ? m.Groups[1].Value
                : TableNameInBody().Match(body ?? "") is { Success: true } b ? b.Groups[1].Value
                : "(account)";
            yield return new StorageOperation("table", name, method switch { "POST" => "create", "DELETE" => "delete", _ => "read" });
            yield break;
        }

        var table = first.Split('(')[0];
        yield return new StorageOperation("table", table, method switch
        {
            "GET" or "HEAD" => "read",
            "DELETE" => "delete",
            _ => "write",
        });
    }

    private static bool Has(string query, string part) => query.Contains(part, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|PATCH|MERGE|DELETE) \S*?/devstoreaccount1/(?<table>[A-Za-z0-9]+)", RegexOptions.Multiline)]
    private static partial Regex BatchPart();

    [GeneratedRegex(@"^Tables\('([^']+)'\)")]
    private static partial Regex TableNameInTables();

    [GeneratedRegex("\"TableName\"\\s*:\\s*\"([^\"]+)\"")]
    private static partial Regex TableNameInBody();
}
