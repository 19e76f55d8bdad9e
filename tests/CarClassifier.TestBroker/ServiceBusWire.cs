namespace CarClassifier.TestBroker;

/// <summary>
/// Names on the wire that the Service Bus service and Azure.Messaging.ServiceBus agree on. Sources:
/// "AMQP 1.0 in Azure Service Bus: request-response-based operations"
/// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-request-response),
/// "AMQP 1.0 in Service Bus and Event Hubs protocol guide"
/// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-protocol-guide) and the SDK's
/// Amqp/AmqpMessageConstants.cs, ManagementConstants.cs and AmqpMessageConverter.cs (azure-sdk-for-net).
/// </summary>
internal static class ServiceBusWire
{
    // Message annotations the service stamps on every delivery.
    public const string SequenceNumber = "x-opt-sequence-number";
    public const string EnqueuedTime = "x-opt-enqueued-time";
    public const string LockedUntil = "x-opt-locked-until";
    public const string DeadLetterSource = "x-opt-deadletter-source";
    public const string ScheduledEnqueueTime = "x-opt-scheduled-enqueue-time";

    // Application properties of a dead-lettered message (ServiceBusReceivedMessage.DeadLetterReason/ErrorDescription).
    public const string DeadLetterReason = "DeadLetterReason";
    public const string DeadLetterErrorDescription = "DeadLetterErrorDescription";

    /// <summary>Rejected outcome condition the SDK sends for DeadLetterMessageAsync.</summary>
    public const string DeadLetterCondition = "com.microsoft:dead-letter";

    /// <summary>Error condition for a settle or renew on a lock that expired or was never handed out.</summary>
    public const string MessageLockLost = "com.microsoft:message-lock-lost";

    /// <summary>The reason the service writes when delivery count passes MaxDeliveryCount.</summary>
    public const string MaxDeliveryCountExceeded = "MaxDeliveryCountExceeded";

    /// <summary>The reason the service writes when a message's time-to-live ran out on a queue with dead-lettering on expiry.</summary>
    public const string TtlExpiredException = "TTLExpiredException";

    // Node names.
    public const string Cbs = "$cbs";
    public const string Management = "$management";
    public const string DeadLetterQueue = "$DeadLetterQueue";

    // Request-response.
    public const string Operation = "operation";
    public const string StatusCode = "statusCode";
    public const string StatusDescription = "statusDescription";
    public const string CbsStatusCode = "status-code";
    public const string CbsStatusDescription = "status-description";
    public const string PutToken = "put-token";
    public const string RenewLock = "com.microsoft:renew-lock";
    public const string PeekMessage = "com.microsoft:peek-message";
    public const string UpdateDisposition = "com.microsoft:update-disposition";
    public const string ScheduleMessage = "com.microsoft:schedule-message";
    public const string CancelScheduledMessage = "com.microsoft:cancel-scheduled-message";
    public const string ReceiveBySequenceNumber = "com.microsoft:receive-by-sequence-number";
    public const string LockTokens = "lock-tokens";
    public const string Expirations = "expirations";
    public const string FromSequenceNumber = "from-sequence-number";
    public const string MessageCount = "message-count";
    public const string Messages = "messages";
    public const string Message = "message";
    public const string DispositionStatus = "disposition-status";
    public const string DeadLetterReasonKey = "deadletter-reason";
    public const string DeadLetterDescriptionKey = "deadletter-description";
}
