using System.ComponentModel.DataAnnotations;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// The Service Bus consumer's knobs (<c>Classifier:ServiceBus</c>), bound once and validated at start. The queue itself
/// (lock duration, max delivery count, duplicate detection) is Bicep's (infra/app/servicebus.bicep); the values here must
/// agree with it, and the defaults do.
/// </summary>
public sealed class ServiceBusOptions
{
    public const string SectionName = PipelineNames.OptionsSection + ":ServiceBus";

    /// <summary>Most messages one receive returns; 0 means <c>Classifier:MaxBatchSize</c> (one ONNX batch per receive).</summary>
    [Range(0, 4096)]
    public int ReceiveBatchSize { get; set; }

    /// <summary>
    /// Messages the client fetches ahead of the next receive. 0 (the default), as measured (docs/ARCHITECTURE.md,
    /// "Prefetch"): on the benchmark it changed no throughput the machine could resolve, but it made receives come back
    /// part-full, and prefetched messages are locked while they wait, unrenewed and not abandoned on shutdown. If set,
    /// keep it at most one receive batch.
    /// </summary>
    [Range(0, 4096)]
    public int PrefetchCount { get; set; }

    /// <summary>How long an empty receive waits for the first message.</summary>
    [Range(10, 60_000)]
    public int MaxWaitMilliseconds { get; set; } = 1000;

    /// <summary>The queue's MaxDeliveryCount: the delivery that reaches it and fails is dead-lettered with its reason.</summary>
    [Range(1, 2000)]
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>Renew the locks of a batch in flight this often; must stay under the queue's lock duration (60 s in Bicep).</summary>
    [Range(1, 300)]
    public int LockRenewalSeconds { get; set; } = 20;

    /// <summary>
    /// The longest a batch keeps its locks renewed, as the SDK's processor caps it (MaxAutoLockRenewalDuration, 5 minutes by
    /// default). A batch still unfinished then (a stuck decode or inference) stops renewing and its unsettled messages are
    /// abandoned, so Service Bus delivers them again and, after MaxDeliveryCount, dead-letters them instead of leaving them
    /// locked for ever.
    /// </summary>
    [Range(1, 86_400)]
    public int MaxLockRenewalSeconds { get; set; } = 300;

    /// <summary>
    /// Renew-lock requests in flight at once. One request per message (the SDK's API); at 10-30 ms a round trip, 256
    /// messages one at a time take 2.5-8 s of the renewal interval, 16 at a time a sixteenth of that.
    /// </summary>
    [Range(1, 256)]
    public int LockRenewalConcurrency { get; set; } = 16;

    /// <summary>
    /// On shutdown, how long the batch in flight may run on before its messages are abandoned. The host's shutdown timeout
    /// is this plus <see cref="ShutdownSettleSeconds"/> (<see cref="ServiceBusServiceCollectionExtensions.AddServiceBusClassifier"/>
    /// sets it), and Container Apps kills the replica 30 s after SIGTERM unless its template's terminationGracePeriodSeconds
    /// says otherwise: the default 20 s + 10 s fits.
    /// </summary>
    [Range(0, 300)]
    public int ShutdownGraceSeconds { get; set; } = 20;

    /// <summary>Time the host allows after the grace for abandoning what is left and closing the links.</summary>
    public const int ShutdownSettleSeconds = 10;

    /// <summary>
    /// Every this often the dead-letter scan reads the whole dead-letter queue again instead of only what sorts after the
    /// last message it saw: Service Bus does not promise that messages reach the dead-letter queue in sequence order.
    /// </summary>
    [Range(1, 86_400)]
    public int DeadLetterRescanSeconds { get; set; } = 300;

    /// <summary>How often the dead-letter queue is scanned for blobs that still need their Poisoned row.</summary>
    [Range(1, 3600)]
    public int DeadLetterScanSeconds { get; set; } = 10;
}
