using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace CarClassifier.TestBroker;

/// <summary>
/// The broker's end of a client's receive link. Each delivery's tag is its lock token (16 bytes, the layout
/// <see cref="Guid.ToByteArray()"/> writes and the SDK reads back in AmqpMessageConverter); dispositions settle the lock:
/// accepted = complete, modified = abandon, rejected with com.microsoft:dead-letter = dead-letter (reason and
/// description from the error's info map), released = made available without counting the delivery. A settle on a lost lock is rejected with
/// com.microsoft:message-lock-lost, which the SDK raises as ServiceBusFailureReason.MessageLockLost. Defer (modified with
/// undeliverable-here, the SDK's DeferMessageAsync) is refused with amqp:not-implemented: the broker has no deferred
/// state, and acting as abandon would let a test pass on behaviour the service does not have
/// ("Message deferral", https://learn.microsoft.com/azure/service-bus-messaging/message-deferral).
/// </summary>
internal sealed class QueueReceiverLink
{
    private readonly BrokerQueue _queue;
    private readonly SendingAmqpLink _link;
    private readonly bool _peekLock;
    private readonly BrokerFaults.LinkActivity _activity;
    private volatile bool _closed;

    public QueueReceiverLink(BrokerQueue queue, SendingAmqpLink link, BrokerFaults.LinkActivity activity)
    {
        _queue = queue;
        _link = link;
        _activity = activity;
        _peekLock = link.Settings.SettleType != SettleMode.SettleOnSend;
        link.RegisterCreditListener(OnCredit);
        link.RegisterDispositionListener(OnDisposition);
        link.Closed += (_, _) =>
        {
            _closed = true;
            lock (_queue.SyncRoot) Credit = 0;
            _queue.RemoveReceiver(this);
        };
        queue.AddReceiver(this);
    }

    /// <summary>The link is detached: the locks it took can no longer be settled (<see cref="BrokerQueue.IsHeldByClosedLink"/>).</summary>
    public bool IsClosed => _closed || _activity.Detached;

    /// <summary>Credit not yet used; only touched under the queue's lock.</summary>
    public int Credit { get; set; }

    /// <summary>Messages the queue assigned to this link that are not yet handed to the AMQP link (under the queue's lock).</summary>
    public int Unsent { get; set; }

    public void Send(StoredMessage message)
    {
        _activity.Touch();
        var amqp = message.ToAmqp(locked: true);
        if (!_peekLock)
        {
            // ReceiveAndDelete: the message is gone once sent.
            _queue.Complete(message.LockToken);
        }

        try
        {
            _link.SendMessageNoWait(amqp, new ArraySegment<byte>(message.LockToken.ToByteArray()), AmqpConstants.NullBinary);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or AmqpException)
        {
            // The link closed under us; the lock runs out and the message is delivered again.
        }
        finally
        {
            // After the hand-over, so a flow read in between counts this message twice (too little credit, never too much).
            lock (_queue.SyncRoot) Unsent--;
        }
    }

    private void OnCredit(uint credit, bool drain, ArraySegment<byte> txnId)
    {
        _activity.Touch();
        lock (_queue.SyncRoot)
        {
            // AMQP 1.0 section 2.6.7: a flow's link-credit is the receiver's whole current credit, not an increment. The
            // AMQP library turns it into what is left after the deliveries it already sent (its LinkCredit, which this
            // listener is given); messages this queue assigned but has not yet handed to the library come off that.
            // Adding instead would hand a client that calls ReceiveMessagesAsync(8) twice 16 messages, 8 of them to a
            // link with no receive call waiting.
            Credit = Math.Max(0, (int)Math.Min(credit, _link.LinkCredit) - Unsent);
        }

        _queue.Pump();
        if (drain)
        {
            // Drain: whatever credit the queue could not fill is given back (AMQP 1.0 section 2.6.7).
            lock (_queue.SyncRoot) Credit = 0;
        }
    }

    private void OnDisposition(Delivery delivery)
    {
        _activity.Touch();
        var lockToken = new Guid(delivery.DeliveryTag.AsSpan());
        var state = delivery.State;
        bool held;
        switch (state)
        {
            case Accepted or Rejected or Modified or Released when IsClosed:
                // Detached by the broker, and the client had not yet seen it: the lock can no longer be settled.
                held = false;
                break;
            case Modified { UndeliverableHere: true }:
                // Defer: refused, the lock stays as it was (runs out or is settled otherwise).
                _link.DisposeDelivery(delivery, true, new Rejected { Error = new Error { Condition = AmqpErrorCode.NotImplemented, Description = "Deferral is not supported by the test broker (see docs/ARCHITECTURE.md, Service Bus test broker)." } });
                return;
            case Accepted:
                held = _queue.Complete(lockToken);
                break;
            case Rejected rejected when rejected.Error?.Condition.Value == ServiceBusWire.DeadLetterCondition:
                held = _queue.DeadLetter(
                    lockToken,
                    rejected.Error.Info?[ServiceBusWire.DeadLetterReason] as string,
                    rejected.Error.Info?[ServiceBusWire.DeadLetterErrorDescription] as string);
                break;
            case Rejected:
            case Modified:
                held = _queue.Abandon(lockToken, countsAsDelivery: true);
                break;
            case Released:
                // AMQP 1.0 section 3.4.4: a released message was not processed, so its delivery does not count. The SDK
                // releases what arrives on a link with no receive call waiting (credit left over from an earlier call).
                held = _queue.Abandon(lockToken, countsAsDelivery: false);
                break;
            default:
                return; // Received and other non-terminal states change nothing.
        }

        // The SDK treats any Rejected answer as a failed settle (and raises its error), so a settle that worked is
        // confirmed with Accepted whatever the client asked for.
        DeliveryState outcome = held
            ? AmqpConstants.AcceptedOutcome
            : new Rejected { Error = new Error { Condition = ServiceBusWire.MessageLockLost, Description = "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue." } };
        _link.DisposeDelivery(delivery, true, outcome);
    }
}
