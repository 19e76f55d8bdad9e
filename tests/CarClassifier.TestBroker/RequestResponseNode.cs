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
    private readonly BrokerFaults? _faults;
    private readonly ConcurrentDictionary<string, SendingAmqpLink> _replyLinks = new(StringComparer.Ordinal);

    /// <param name="faults">For an entity's $management: throttling and latency apply (not to $cbs).</param>
    public RequestResponseNode(Func<AmqpMessage, AmqpMessage> handle, BrokerFaults? faults = null)
    {
        _handle = handle;
        _faults = faults;
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
        _faults?.ManagementRequestStarted();
        var latency = _faults?.ManagementLatency ?? TimeSpan.Zero;
        try
        {
            AmqpMessage response;
            try
            {
                response = _faults?.TryThrottle() == true ? ServerBusy() : _handle(request);
            }
            catch (Exception ex) when (ex is InvalidCastException or KeyNotFoundException or FormatException or InvalidOperationException or NullReferenceException)
            {
                response = Respond(400, ex.Message, null);
            }

            response.Properties.CorrelationId = request.Properties.MessageId;
            var replyTo = request.Properties.ReplyTo?.ToString();
            link.AcceptMessage(request, false);
            if (latency > TimeSpan.Zero)
            {
                // The work is done; only the answer waits, as a far-away namespace's would.
                _ = Task.Delay(latency).ContinueWith(_ => Reply(replyTo, response), TaskScheduler.Default);
            }
            else
            {
                Reply(replyTo, response);
            }
        }
        finally
        {
            request.Dispose();
        }
    }

    private void Reply(string? replyTo, AmqpMessage response)
    {
        _faults?.ManagementRequestEnded();
        if (replyTo is not null && _replyLinks.TryGetValue(replyTo, out var replies))
        {
            replies.SendMessageNoWait(response, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary);
        }
    }

    /// <summary>A throttled request's answer: 503 with the server-busy condition the SDK maps to ServiceBusy.</summary>
    private static AmqpMessage ServerBusy()
    {
        var error = BrokerFaults.ServerBusyError();
        var response = Respond(503, error.Description, null);
        response.ApplicationProperties.Map["errorCondition"] = error.Condition;
        return response;
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
