namespace CarClassifier.TestBroker;

/// <summary>
/// The queue properties the broker honours, named as in the Service Bus queue description
/// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-queues-topics-subscriptions).
/// Defaults follow the service's: 1-minute lock, 10 deliveries, duplicate detection off.
/// </summary>
public sealed record BrokerQueueOptions
{
    /// <summary>How long a PeekLock receive holds a message before it becomes available again.</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>After this many deliveries an abandoned or expired message moves to the dead-letter sub-queue.</summary>
    public int MaxDeliveryCount { get; init; } = 10;

    /// <summary>Null turns duplicate detection off; otherwise repeats of a MessageId inside the window are accepted and dropped.</summary>
    public TimeSpan? DuplicateDetectionWindow { get; init; }

    /// <summary>Move messages whose time-to-live ran out to the dead-letter sub-queue instead of dropping them.</summary>
    public bool DeadLetteringOnMessageExpiration { get; init; }

    /// <summary>Largest message the queue accepts (256 KB on the Standard tier).</summary>
    public ulong MaxMessageSize { get; init; } = 256 * 1024;
}
