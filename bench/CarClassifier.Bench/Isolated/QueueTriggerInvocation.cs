using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using CarClassifier.Bench.Isolated.Rpc;
using Google.Protobuf;

namespace CarClassifier.Bench.Isolated;

/// <summary>
/// The InvocationRequest the Functions host sends an isolated worker for one storage-queue message whose function binds
/// <see cref="QueueMessage"/>. Such a parameter is a deferred (SDK-type) binding: the worker's metadata marks it
/// <c>supportsDeferredBinding</c>, so the host's Storage Queues extension passes the message as ParameterBindingData
/// (StorageQueueMessageToParameterBindingDataConverter in Microsoft.Azure.WebJobs.Extensions.Storage.Queues 5.x:
/// version 1.0, source "AzureStorageQueues", content type application/json, the QueueMessage serialized as JSON), and
/// the worker's QueueMessageConverter (Azure/azure-functions-dotnet-worker, extensions/Worker.Extensions.Storage.Queues/
/// src/TypeConverters/QueueMessageConverter.cs) rebuilds the QueueMessage from it. Beside it go the trigger's binding
/// data as trigger metadata (QueueTrigger, DequeueCount, ExpirationTime, Id, InsertionTime, NextVisibleTime,
/// PopReceipt; "sys" is skipped) and the W3C trace parent, as ScriptInvocationContextExtensions.ToRpcInvocationRequest
/// (azure-functions-host src/WebJobs.Script.Grpc/Extensions/) builds them.
/// </summary>
internal static class QueueTriggerInvocation
{
    /// <summary>host.json's visibilityTimeout: when the listener would see the message again if not deleted.</summary>
    private static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(10);

    /// <param name="asString">
    /// For a parameter bound as string (no deferred binding): the host then sends the message text itself as
    /// TypedData.String, not the QueueMessage as ModelBindingData.
    /// </param>
    public static InvocationRequest Create(string functionId, string parameterName, string messageText, bool asString = false)
    {
        var inserted = DateTimeOffset.UtcNow;
        var expires = inserted.AddDays(7);
        var nextVisible = inserted + VisibilityTimeout;
        var messageId = Guid.NewGuid().ToString();
        var popReceipt = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var message = QueuesModelFactory.QueueMessage(messageId, popReceipt, BinaryData.FromString(messageText), 1, nextVisible, inserted, expires);

        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = functionId,
            TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00" },
        };
        request.InputData.Add(new ParameterBinding
        {
            Name = parameterName,
            Data = asString ? new TypedData { String = messageText } : new TypedData
            {
                ModelBindingData = new ModelBindingData
                {
                    Version = "1.0",
                    Source = "AzureStorageQueues",
                    ContentType = "application/json",
                    Content = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(message)),
                },
            },
        });
        request.TriggerMetadata.Add("QueueTrigger", new TypedData { String = messageText });
        request.TriggerMetadata.Add("DequeueCount", new TypedData { Json = "1" });
        request.TriggerMetadata.Add("ExpirationTime", Json(expires));
        request.TriggerMetadata.Add("Id", new TypedData { String = messageId });
        request.TriggerMetadata.Add("InsertionTime", Json(inserted));
        request.TriggerMetadata.Add("NextVisibleTime", Json(nextVisible));
        request.TriggerMetadata.Add("PopReceipt", new TypedData { String = popReceipt });
        return request;
    }

    /// <summary>
    /// The host's ToRpc (azure-functions-host RpcMessageConversionExtensions) sends strings and byte arrays as such and
    /// anything else (numbers, dates) as JSON; the worker rejects TypedData.Int in trigger metadata ("Int is not supported").
    /// </summary>
    private static TypedData Json(DateTimeOffset value) =>
        new() { Json = "\"" + value.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture) + "\"" };
}
