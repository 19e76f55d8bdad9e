using System.Net.Sockets;
using Azure;
using Azure.Identity;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>
/// Turns what the storage clients throw into the cause a person can act on, in a few words ("connection refused
/// 127.0.0.1:10000", "403 AuthorizationPermissionMismatch"), instead of the SDK's retry summary that repeats the same
/// socket error once per try.
/// </summary>
internal static class StorageErrors
{
    public static bool IsStorageProblem(Exception ex) => Find<RequestFailedException>(ex) is not null
        || Find<HttpRequestException>(ex) is not null
        || Find<SocketException>(ex) is not null
        || Find<AuthenticationFailedException>(ex) is not null;

    /// <summary>The cause in a few words: the innermost socket error, the HTTP status and error code, or the credential's complaint.</summary>
    public static string Cause(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (Find<SocketException>(ex) is { } socket)
        {
            var words = socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                SocketError.TimedOut => "connection timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                SocketError.ConnectionReset => "connection reset",
                _ => FirstLine(socket.Message).ToLowerInvariant(),
            };
            return words;
        }

        // DefaultAzureCredential's message is a paragraph and a link; what matters is that no sign-in was found.
        if (Find<AuthenticationFailedException>(ex) is not null) return "no Azure credential for";
        if (Find<RequestFailedException>(ex) is { Status: > 0 } failed)
        {
            return failed.ErrorCode is { Length: > 0 } code ? $"{failed.Status} {code}" : $"HTTP {failed.Status}";
        }

        if (Find<HttpRequestException>(ex) is { } http) return FirstLine(http.Message);
        if (ex is OperationCanceledException or TimeoutException) return "no answer in time";
        return FirstLine(ex.Message);
    }

    /// <summary>"connection refused 127.0.0.1:10000": the cause and where.</summary>
    public static string Describe(Exception ex, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return $"{Cause(ex)} {endpoint.Host}:{endpoint.Port}";
    }

    /// <summary>What to do about it: start Azurite when nothing answers, check the identity's roles when storage says no.</summary>
    public static string Hint(Exception ex) =>
        Find<AuthenticationFailedException>(ex) is not null ? "Sign in with az login (or run where a managed identity is), or pass --connection."
        : Find<RequestFailedException>(ex) is { Status: 401 or 403 } ? "Check the key, or the identity's data roles (Storage Blob/Queue/Table Data Contributor)."
        : "Start Azurite with scripts/azurite.sh start, or pass --connection.";

    /// <summary>Answers that retrying will not change: nothing listens there, the host does not exist, or storage said no.</summary>
    public static bool IsFinal(Exception ex) =>
        Find<SocketException>(ex) is { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData }
        || Find<RequestFailedException>(ex) is { Status: >= 400 and < 500 and not 408 and not 429 }
        || Find<AuthenticationFailedException>(ex) is not null;

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    internal static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found) return found;
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Find<T>(inner) is { } nested) return nested;
                }
            }
        }

        return null;
    }
}
