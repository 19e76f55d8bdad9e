using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace CarClassifier.TestBroker;

/// <summary>
/// The broker's end of a client's send link: every transfer (single or batched) is stored and accepted, unless the broker
/// is throttling (rejected with com.microsoft:server-busy, see <see cref="BrokerFaults"/>) or a message in it is scheduled
/// (ScheduledEnqueueTime): the broker does not implement scheduled delivery ("Scheduled messages",
/// https://learn.microsoft.com/azure/service-bus-messaging/message-sequencing#scheduled-messages), so it refuses the
/// whole transfer with amqp:not-implemented rather than deliver the message at once.
/// </summary>
internal sealed class QueueSenderLink
{
    private readonly BrokerQueue _queue;
    private readonly ReceivingAmqpLink _link;
    private readonly BrokerFaults.LinkActivity _activity;

    public QueueSenderLink(BrokerQueue queue, ReceivingAmqpLink link, BrokerFaults.LinkActivity activity)
    {
        _queue = queue;
        _link = link;
        _activity = activity;
        link.RegisterMessageListener(OnMessage);
    }

    private void OnMessage(AmqpMessage message)
    {
        _activity.Touch();
        try
        {
            if (_queue.Faults.TryThrottle())
            {
                _link.DisposeMessage(message, new Rejected { Error = BrokerFaults.ServerBusyError() }, true, false);
                return;
            }

            var messages = StoredMessage.FromTransfer(message);
            if (messages.Any(m => m.IsScheduled))
            {
                _link.DisposeMessage(message, new Rejected { Error = new Error { Condition = AmqpErrorCode.NotImplemented, Description = "Scheduled messages (ScheduledEnqueueTime) are not supported by the test broker (see docs/ARCHITECTURE.md, Service Bus test broker)." } }, true, false);
                return;
            }

            _queue.Enqueue(messages);
            _link.AcceptMessage(message, false);
        }
        finally
        {
            message.Dispose();
        }
    }
}
