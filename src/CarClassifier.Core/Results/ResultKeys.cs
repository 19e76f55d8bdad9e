using System.Security.Cryptography;
using System.Text;

namespace CarClassifier.Core.Results;

/// <summary>
/// Table keys derived from the blob path alone, so a point read needs no scan.
/// PartitionKey: two hex digits of the path's SHA-256 (256 partitions, so writes spread instead of
/// piling onto one hot partition). RowKey: the path with the characters Table storage forbids in keys
/// ('/', '\', '#', '?', control characters) and '%' percent-encoded; names too long for a key are
/// truncated and suffixed with the full path's hash so they stay unique.
/// </summary>
public static class ResultKeys
{
    /// <summary>Table keys may be up to 1 KiB; UTF-16 counts two bytes a char, so stay well under.</summary>
    internal const int MaxRowKeyChars = 400;

    public static (string PartitionKey, string RowKey) For(string blobPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobPath);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(blobPath), hash);
        var partition = Convert.ToHexStringLower(hash[..1]);
        var row = Escape(blobPath);
        if (row.Length > MaxRowKeyChars)
        {
            row = string.Concat(row.AsSpan(0, MaxRowKeyChars - 65), "~", Convert.ToHexStringLower(hash));
        }

        return (partition, row);
    }

    /// <summary>The path a row describes: container, '/', blob name.</summary>
    public static string BlobPath(string container, string blobName) => $"{container}/{blobName}";

    internal static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
