using System.Text.Json;
using Microsoft.Azure.WebJobs.Host;

namespace CarClassifier.Cli.LocalHost;

/// <summary>
/// Applies the queue settings of the repo's host.json (the Functions app's) to the local WebJobs host,
/// so both hosts batch and retry the same way from one file.
/// </summary>
internal static class HostJsonQueueSettings
{
    public static void Apply(string hostJsonPath, QueuesOptions options)
    {
        if (!File.Exists(hostJsonPath))
        {
            throw new FileNotFoundException($"host.json not found at '{hostJsonPath}'.", hostJsonPath);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!document.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
        {
            return;
        }

        foreach (var property in queues.EnumerateObject())
        {
            switch (property.Name.ToUpperInvariant())
            {
                case "BATCHSIZE": options.BatchSize = property.Value.GetInt32(); break;
                case "NEWBATCHTHRESHOLD": options.NewBatchThreshold = property.Value.GetInt32(); break;
                case "MAXDEQUEUECOUNT": options.MaxDequeueCount = property.Value.GetInt32(); break;
                case "MAXPOLLINGINTERVAL": options.MaxPollingInterval = TimeSpan.Parse(property.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture); break;
                case "VISIBILITYTIMEOUT": options.VisibilityTimeout = TimeSpan.Parse(property.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture); break;
                case "MESSAGEENCODING":
                    options.MessageEncoding = Enum.Parse<Azure.Storage.Queues.QueueMessageEncoding>(property.Value.GetString()!, ignoreCase: true);
                    break;
                default: break;
            }
        }
    }
}
