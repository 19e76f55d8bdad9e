using Microsoft.Azure.Amqp;

namespace CarClassifier.TestBroker;

/// <summary>The broker's end of a client's send link: every transfer (single or batched) is stored and accepted.</summary>
internal sealed class QueueSenderLink
{
    private readonly BrokerQueue _queue;
    private readonly ReceivingAmqpLink _link;

    public QueueSenderLink(BrokerQueue queue, ReceivingAmqpLink link)
    {
        _queue = queue;
        _link = link;
        link.RegisterMessageListener(OnMessage);
    }

    private void OnMessage(AmqpMessage message)
    {
        try
        {
            _queue.Enqueue(StoredMessage.FromTransfer(message));
            _link.AcceptMessage(message, false);
        }
        finally
        {
            message.Dispose();
        }
    }
}
