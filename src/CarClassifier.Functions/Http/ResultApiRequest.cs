using System.Globalization;
using System.Text;
using CarClassifier.Core.Results;

namespace CarClassifier.Functions.Http;

/// <summary>
/// The query string of the list API (<c>?prefix=&amp;pageSize=&amp;continuation=</c>), validated, so the HTTP
/// function stays a thin adapter and the rules are tested without a Functions host. The continuation token
/// handed to clients is the table's token in base64url, opaque and safe in a URL.
/// </summary>
public sealed record ResultApiRequest(string? Prefix, int PageSize, string? ContinuationToken)
{
    /// <summary>Parses the raw query values; false with a reason suitable for a 400 response when they are not valid.</summary>
    public static bool TryParse(string? prefix, string? pageSize, string? continuation, out ResultApiRequest request, out string error)
    {
        request = new ResultApiRequest(null, ResultQuery.DefaultPageSize, null);
        error = "";
        var size = ResultQuery.DefaultPageSize;
        if (!string.IsNullOrEmpty(pageSize)
            && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > ResultQuery.MaxPageSize))
        {
            error = $"pageSize must be a whole number from 1 to {ResultQuery.MaxPageSize}.";
            return false;
        }

        string? token = null;
        if (!string.IsNullOrEmpty(continuation))
        {
            token = DecodeToken(continuation);
            if (token is null)
            {
                error = "continuation is not a token this API returned.";
                return false;
            }
        }

        request = new ResultApiRequest(string.IsNullOrEmpty(prefix) ? null : prefix, size, token);
        return true;
    }

    public static string? EncodeToken(string? token) =>
        token is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(token)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? DecodeToken(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var base64 = encoded.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            var token = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return token.Length == 0 ? null : token;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
