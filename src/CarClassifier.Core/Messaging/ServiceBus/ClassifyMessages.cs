using System.Security.Cryptography;
using System.Text;
using Azure.Messaging.ServiceBus;
using CarClassifier.Core.Results;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>How a <see cref="ClassifyRequest"/> travels as a Service Bus message.</summary>
public static class ClassifyMessages
{
    /// <summary>Application property carrying the W3C trace context (the SDK adds its own Diagnostic-Id too).</summary>
    public const string TraceParentProperty = "traceparent";

    /// <summary>
    /// The message id: a hash of the blob path and ETag, so the queue's duplicate detection drops a second claim check for
    /// the same blob version (Event Grid delivers at least once), while an overwritten blob (new ETag) is classified again.
    /// Hashed because MessageId is limited to 128 characters and blob paths are not.
    /// </summary>
    public static string MessageIdFor(string container, string blobName, string? etag)
    {
        var key = ResultKeys.BlobPath(container, blobName) + "\n" + (etag ?? string.Empty).Trim('"');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    public static ServiceBusMessage ToMessage(ClassifyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = new ServiceBusMessage(BinaryData.FromString(request.ToJson()))
        {
            MessageId = MessageIdFor(request.Container, request.BlobName, request.ETag),
            CorrelationId = request.CorrelationId,
            ContentType = "application/json",
        };
        if (request.TraceParent is not null) message.ApplicationProperties[TraceParentProperty] = request.TraceParent;
        return message;
    }
}
