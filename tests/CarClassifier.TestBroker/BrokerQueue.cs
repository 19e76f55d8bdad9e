namespace CarClassifier.TestBroker;

/// <summary>
/// One queue (or its dead-letter sub-queue) with Service Bus PeekLock semantics, as documented in
/// "Message transfers, locks, and settlement" (https://learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement),
/// "Duplicate detection" (https://learn.microsoft.com/azure/service-bus-messaging/duplicate-detection) and
/// "Dead-letter queues" (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues):
/// a receive locks a message for LockDuration and counts a delivery; complete removes it; abandon or lock expiry makes it
/// available again, or moves it to $DeadLetterQueue with reason MaxDeliveryCountExceeded once DeliveryCount reached
/// MaxDeliveryCount; dead-letter moves it with the caller's reason and description. A closed receive link does not
/// release its locks: they run out as on the service, and until then renew-lock still extends them while no settlement
/// can take them (see <see cref="IsHeldByClosedLink"/>).
/// The dead-letter copy keeps the message's SequenceNumber and DeliveryCount and gets no DeadLetterSource (see
/// <see cref="StoredMessage"/>), so the sub-queue is in dead-letter order, not sequence order; peek returns it in
/// sequence order from the given number, as the service's peek does ("Message browsing",
/// https://learn.microsoft.com/azure/service-bus-messaging/message-browsing). Messages in the sub-queue never expire
/// ("Dead-letter queues": "There's no automatic cleanup of the DLQ").
/// </summary>
public sealed class BrokerQueue
{
    private readonly object _sync = new();
    private readonly LinkedList<StoredMessage> _messages = new();
    private readonly Dictionary<Guid, StoredMessage> _locked = new();
    private readonly Dictionary<string, DateTime> _seenMessageIds = new(StringComparer.Ordinal);
    private readonly List<QueueReceiverLink> _receivers = [];
    private readonly TimeProvider _time;
    private long _nextSequenceNumber = 1;
    private long _duplicatesDropped;
    private long _deliveries;

    internal BrokerQueue(string name, BrokerQueueOptions options, TimeProvider time, BrokerFaults faults, bool isDeadLetterQueue = false)
    {
        Name = name;
        Options = options;
        _time = time;
        Faults = faults;
        DeadLetterQueue = isDeadLetterQueue ? null : new BrokerQueue(name + "/" + ServiceBusWire.DeadLetterQueue, options with { DuplicateDetectionWindow = null }, time, faults, true);
    }

    /// <summary>The broker's switchable faults (throttling, idle detach, latency).</summary>
    internal BrokerFaults Faults { get; }

    public string Name { get; }

    /// <summary>Guards the queue and its receivers' credit.</summary>
    internal object SyncRoot => _sync;

    public BrokerQueueOptions Options { get; }

    /// <summary>The $DeadLetterQueue sub-queue; null on the sub-queue itself.</summary>
    public BrokerQueue? DeadLetterQueue { get; }

    /// <summary>Messages waiting or locked.</summary>
    public int Count
    {
        get { lock (_sync) return _messages.Count; }
    }

    /// <summary>Messages currently locked by a receiver.</summary>
    public int LockedCount
    {
        get { lock (_sync) return _locked.Count; }
    }

    /// <summary>Sends the duplicate-detection window dropped.</summary>
    public long DuplicatesDropped => Interlocked.Read(ref _duplicatesDropped);

    /// <summary>Every locked delivery handed out so far (redeliveries included; released ones, which do not count, excluded).</summary>
    public long Deliveries => Interlocked.Read(ref _deliveries);

    /// <summary>A snapshot of the messages (waiting and locked), oldest first.</summary>
    public IReadOnlyList<StoredMessage> Snapshot()
    {
        lock (_sync) return [.. _messages];
    }

    internal void Enqueue(IEnumerable<StoredMessage> messages)
    {
        lock (_sync)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            foreach (var message in messages)
            {
                if (Options.DuplicateDetectionWindow is { } window && message.MessageId is { } id)
                {
                    // The service accepts a duplicate send and drops it silently (duplicate-detection doc).
                    if (_seenMessageIds.TryGetValue(id, out var seenAt) && now - seenAt < window)
                    {
                        Interlocked.Increment(ref _duplicatesDropped);
                        continue;
                    }

                    _seenMessageIds[id] = now;
                }

                AddLocked(message, now);
            }
        }

        Pump();
    }

    /// <summary>Adds a dead-lettered message as it is: its sequence number and enqueue time stay the main queue's.</summary>
    private void EnqueueDeadLettered(StoredMessage message)
    {
        lock (_sync) _messages.AddLast(message);
        Pump();
    }

    private void AddLocked(StoredMessage message, DateTime now)
    {
        message.SequenceNumber = _nextSequenceNumber++;
        message.EnqueuedTimeUtc = now;
        message.LockedBy = null;
        message.LockToken = Guid.Empty;
        _messages.AddLast(message);
    }

    internal void AddReceiver(QueueReceiverLink receiver)
    {
        lock (_sync) _receivers.Add(receiver);
    }

    internal void RemoveReceiver(QueueReceiverLink receiver)
    {
        lock (_sync) _receivers.Remove(receiver);
    }

    /// <summary>Hands available messages to receivers that have credit, locking each one.</summary>
    internal void Pump()
    {
        var sends = new List<(QueueReceiverLink Receiver, StoredMessage Message)>();
        if (Faults.HoldsDeliveries) return; // Throttled: receives get nothing until the namespace has credit again.
        lock (_sync)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            foreach (var receiver in _receivers)
            {
                var node = _messages.First;
                while (receiver.Credit > 0 && node is not null)
                {
                    var message = node.Value;
                    node = node.Next;
                    if (message.LockedBy is not null) continue;
                    receiver.Credit--;
                    receiver.Unsent++;
                    message.DeliveryCount++;
                    message.LockToken = Guid.NewGuid();
                    message.LockedUntilUtc = now + Options.LockDuration;
                    message.LockedBy = receiver;
                    _locked[message.LockToken] = message;
                    Interlocked.Increment(ref _deliveries);
                    sends.Add((receiver, message));
                }
            }
        }

        foreach (var (receiver, message) in sends) receiver.Send(message);
    }

    /// <summary>Removes a message whose lock is held. False when the lock expired or never existed.</summary>
    internal bool Complete(Guid lockToken)
    {
        lock (_sync)
        {
            if (!TryTakeLock(lockToken, out var message)) return false;
            _messages.Remove(message);
            return true;
        }
    }

    /// <summary>Releases a lock: the message is available again, or dead-lettered when it used up its deliveries.</summary>
    internal bool Abandon(Guid lockToken, bool countsAsDelivery = true)
    {
        bool found;
        lock (_sync)
        {
            found = TryTakeLock(lockToken, out var message);
            if (found && !countsAsDelivery)
            {
                message.DeliveryCount--;
                Interlocked.Decrement(ref _deliveries);
            }

            if (found) ReleaseLocked(message);
        }

        if (found) Pump();
        return found;
    }

    /// <summary>Moves a locked message to the dead-letter sub-queue with the given reason.</summary>
    internal bool DeadLetter(Guid lockToken, string? reason, string? description)
    {
        lock (_sync)
        {
            if (!TryTakeLock(lockToken, out var message)) return false;
            _messages.Remove(message);
            MoveToDeadLetter(message, reason, description);
            return true;
        }
    }

    /// <summary>Extends a held lock by LockDuration from now; null when the lock is gone.</summary>
    internal DateTime? RenewLock(Guid lockToken)
    {
        lock (_sync)
        {
            if (!_locked.TryGetValue(lockToken, out var message)) return null;
            message.LockedUntilUtc = _time.GetUtcNow().UtcDateTime + Options.LockDuration;
            return message.LockedUntilUtc;
        }
    }

    /// <summary>Messages from a sequence number on, in sequence-number order, without locking them (peek).</summary>
    internal IReadOnlyList<StoredMessage> Peek(long fromSequenceNumber, int count)
    {
        lock (_sync) return _messages.Where(m => m.SequenceNumber >= fromSequenceNumber).OrderBy(m => m.SequenceNumber).Take(count).ToList();
    }

    /// <summary>
    /// True when the lock is held by a receive link that is gone. The service ties a PeekLock message's lock to the link
    /// that received it: once that link is detached (connection drop, idle detach) nothing can settle the message and it
    /// comes back when the lock runs out, though renew-lock over $management still succeeds until then. Sources: the
    /// SDK's TROUBLESHOOTING.md ("Message lock lost": the lock is lost "if the link is detached"), "Message transfers, locks,
    /// and settlement" (https://learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement: the
    /// lock is held "for this receiver"), and azure-sdk-for-net#28025 / #37676 (renewals succeed, settlement fails with
    /// MessageLockLost after the receive link was detached).
    /// </summary>
    internal bool IsHeldByClosedLink(Guid lockToken)
    {
        lock (_sync) return _locked.TryGetValue(lockToken, out var message) && message.LockedBy is QueueReceiverLink { IsClosed: true };
    }

    /// <summary>Expires locks and time-to-live; called by the broker's clock.</summary>
    internal void Tick()
    {
        var released = false;
        lock (_sync)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            foreach (var message in _locked.Values.Where(m => m.LockedUntilUtc <= now).ToList())
            {
                _locked.Remove(message.LockToken);
                ReleaseLocked(message);
                released = true;
            }

            // The dead-letter sub-queue keeps what it holds until someone removes it ("Dead-letter queues" doc).
            foreach (var message in _messages.Where(m => DeadLetterQueue is not null && m.LockedBy is null && m.ExpiresAtUtc <= now).ToList())
            {
                _messages.Remove(message);
                if (Options.DeadLetteringOnMessageExpiration)
                {
                    MoveToDeadLetter(message, ServiceBusWire.TtlExpiredException, "The message expired and was dead lettered.");
                }
            }
        }

        if (released) Pump();
        DeadLetterQueue?.Tick();
    }

    private bool TryTakeLock(Guid lockToken, out StoredMessage message)
    {
        if (!_locked.Remove(lockToken, out message!)) return false;
        message.LockedBy = null;
        message.LockToken = Guid.Empty;
        return true;
    }

    private void ReleaseLocked(StoredMessage message)
    {
        message.LockedBy = null;
        message.LockToken = Guid.Empty;
        if (DeadLetterQueue is not null && message.DeliveryCount >= Options.MaxDeliveryCount)
        {
            _messages.Remove(message);
            MoveToDeadLetter(
                message,
                ServiceBusWire.MaxDeliveryCountExceeded,
                $"Message could not be consumed after {Options.MaxDeliveryCount} delivery attempts.");
        }
    }

    private void MoveToDeadLetter(StoredMessage message, string? reason, string? description)
    {
        if (DeadLetterQueue is null) return; // The sub-queue has no sub-queue: the message is simply removed.
        DeadLetterQueue.EnqueueDeadLettered(message.ToDeadLetter(reason, description));
    }
}
