using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.Core.Messaging;

/// <summary>
/// The queue retry limit both hosts run with, read the way the Functions host reads it: an
/// <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> app setting first, then host.json beside the app.
/// The local WebJobs host applies the same host.json (LocalHost/HostJsonQueueSettings), so the classifier knows which
/// delivery is the last one in either host.
/// </summary>
public static class QueueRetrySettings
{
    public const string OverrideKey = "AzureFunctionsJobHost:extensions:queues:maxDequeueCount";

    /// <summary>The configured maxDequeueCount, or null when neither the setting nor host.json gives one.</summary>
    public static int? ReadMaxDequeueCount(IConfiguration configuration, string? hostJsonPath = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (int.TryParse(configuration[OverrideKey], NumberStyles.Integer, CultureInfo.InvariantCulture, out int fromSetting))
        {
            return fromSetting;
        }

        hostJsonPath ??= Path.Combine(AppContext.BaseDirectory, "host.json");
        if (!File.Exists(hostJsonPath)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.TryGetProperty("extensions", out var extensions)
                && extensions.TryGetProperty("queues", out var queues))
            {
                foreach (var property in queues.EnumerateObject())
                {
                    if (property.Name.Equals("maxDequeueCount", StringComparison.OrdinalIgnoreCase) && property.Value.TryGetInt32(out int value))
                    {
                        return value;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // The host itself reports a malformed host.json; keep the default here.
        }

        return null;
    }
}
