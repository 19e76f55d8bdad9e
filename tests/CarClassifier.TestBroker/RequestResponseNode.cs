using System.Collections.Concurrent;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace CarClassifier.TestBroker;

/// <summary>
/// An AMQP request-response node ($cbs, or an entity's $management): requests arrive on the client's send link and each
/// response goes back on the client's receive link whose target is the request's reply-to, with correlation-id set to the
/// request's message-id (AMQP Management 1.0 draft, as Service Bus uses it).
/// </summary>
internal sealed class RequestResponseNode
{
    private readonly Func<AmqpMessage, AmqpMessage> _handle;
    private readonly ConcurrentDictionary<string, SendingAmqpLink> _replyLinks = new(StringComparer.Ordinal);

    public RequestResponseNode(Func<AmqpMessage, AmqpMessage> handle)
    {
        _handle = handle;
    }

    public void Attach(AmqpLink link)
    {
        if (link is ReceivingAmqpLink requests)
        {
            requests.RegisterMessageListener(message => OnRequest(requests, message));
            return;
        }

        var replies = (SendingAmqpLink)link;
        var address = ((Target)replies.Settings.Target).Address.ToString()!;
        _replyLinks[address] = replies;
        replies.Closed += (_, _) => _replyLinks.TryRemove(new KeyValuePair<string, SendingAmqpLink>(address, replies));
    }

    private void OnRequest(ReceivingAmqpLink link, AmqpMessage request)
    {
        try
        {
            AmqpMessage response;
            try
            {
                response = _handle(request);
            }
            catch (Exception ex) when (ex is InvalidCastException or KeyNotFoundException or FormatException or InvalidOperationException or NullReferenceException)
            {
                response = Respond(400, ex.Message, null);
            }

            response.Properties.CorrelationId = request.Properties.MessageId;
            var replyTo = request.Properties.ReplyTo?.ToString();
            link.AcceptMessage(request, false);
            if (replyTo is not null && _replyLinks.TryGetValue(replyTo, out var replies))
            {
                replies.SendMessageNoWait(response, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary);
            }
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>A management response: statusCode/statusDescription application properties and an AmqpValue map body.</summary>
    public static AmqpMessage Respond(int status, string description, AmqpMap? body, string statusKey = ServiceBusWire.StatusCode, string descriptionKey = ServiceBusWire.StatusDescription)
    {
        var response = body is null ? AmqpMessage.Create() : AmqpMessage.Create(new AmqpValue { Value = body });
        response.ApplicationProperties = new ApplicationProperties();
        response.ApplicationProperties.Map[statusKey] = status;
        response.ApplicationProperties.Map[descriptionKey] = description;
        return response;
    }
}
