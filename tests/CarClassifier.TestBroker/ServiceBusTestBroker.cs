using System.Collections.Concurrent;
using System.Collections;
using System.Net;
using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;

namespace CarClassifier.TestBroker;

/// <summary>
/// An AMQP 1.0 broker on 127.0.0.1 that the real Azure.Messaging.ServiceBus client can use in place of a namespace:
/// SASL ANONYMOUS and MSSBCBS, CBS put-token on $cbs, queues with PeekLock, $DeadLetterQueue sub-queues and
/// $management (renew-lock, peek-message, update-disposition). The client connects with
/// <see cref="ConnectionString"/>, whose UseDevelopmentEmulator=true makes the SDK use plain TCP, as it does for the
/// official emulator (https://learn.microsoft.com/azure/service-bus-messaging/test-locally-with-service-bus-emulator).
/// Any token is accepted: authorization is the service's business, not what these tests check. <see cref="Faults"/>
/// switches on what the service does to clients under load or after inactivity (throttling, idle link detach, latency).
/// </summary>
public sealed class ServiceBusTestBroker : IRuntimeProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, BrokerQueue> _queues = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, RequestResponseNode> _managementNodes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentBag<AmqpConnection> _connections = [];
    private readonly RequestResponseNode _cbs;
    private readonly TimeProvider _time;
    private readonly AmqpSettings _settings;
    private readonly AmqpTransportListener _listener;
    private readonly Timer _clock;
    private int _tokensReceived;

    public ServiceBusTestBroker(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Faults = new BrokerFaults();
        _cbs = new RequestResponseNode(OnPutToken);
        Port = FreePort();

        _settings = new AmqpSettings { RuntimeProvider = this };
        var sasl = new SaslTransportProvider();
        sasl.Versions.Add(new AmqpVersion(1, 0, 0));
        sasl.AddHandler(new SaslAnonymousHandler());
        sasl.AddHandler(new SaslAnonymousHandler("MSSBCBS")); // The SDK's CBS SASL mechanism (AmqpConnectionScope.CbsSaslHandlerName).
        _settings.TransportProviders.Add(sasl);
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        _settings.TransportProviders.Add(amqp);

        var tcp = new TcpTransportSettings { Host = IPAddress.Loopback.ToString(), Port = Port };
        _listener = new AmqpTransportListener([tcp.CreateListener()], _settings);
        _listener.Listen(OnAcceptTransport);
        _clock = new Timer(_ => Tick(), null, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
    }

    public int Port { get; }

    /// <summary>Throttling, idle link detach and $management latency, each off until a test switches it on.</summary>
    public BrokerFaults Faults { get; }

    /// <summary>What a client passes to <c>new ServiceBusClient(...)</c>.</summary>
    public string ConnectionString =>
        $"Endpoint=sb://127.0.0.1:{Port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";

    /// <summary>CBS put-token requests answered (the SDK authorizes every link this way).</summary>
    public int TokensReceived => Volatile.Read(ref _tokensReceived);

    public BrokerQueue CreateQueue(string name, BrokerQueueOptions? options = null)
    {
        var queue = new BrokerQueue(name, options ?? new BrokerQueueOptions(), _time, Faults);
        if (!_queues.TryAdd(name, queue)) throw new InvalidOperationException($"Queue '{name}' exists.");
        _managementNodes[name] = new RequestResponseNode(request => OnManagement(queue, request), Faults);
        _managementNodes[queue.DeadLetterQueue!.Name] = new RequestResponseNode(request => OnManagement(queue.DeadLetterQueue, request), Faults);
        return queue;
    }

    public BrokerQueue GetQueue(string name) => _queues[name];

    /// <summary>Drops every client connection, as a network failure or a service restart would.</summary>
    public void DisconnectAll()
    {
        foreach (var connection in _connections) connection.SafeClose();
    }

    public void Dispose()
    {
        _clock.Dispose();
        _listener.Close();
        DisconnectAll();
    }

    /// <summary>Runs the lock and time-to-live clock at once (the timer runs it every 50 ms).</summary>
    public void Tick()
    {
        foreach (var queue in _queues.Values) queue.Tick();
        Faults.DetachIdleLinks(_time);
        foreach (var queue in _queues.Values)
        {
            // Deliveries held while throttled go out once it ends.
            queue.Pump();
            queue.DeadLetterQueue?.Pump();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private void OnAcceptTransport(TransportListener listener, TransportAsyncCallbackArgs args)
    {
        var settings = new AmqpConnectionSettings { ContainerId = "carclassifier-test-broker", MaxFrameSize = 64 * 1024, IdleTimeOut = 4 * 60 * 1000 };
        AmqpConnection? connection = null;
        try
        {
            connection = CreateConnection(args.Transport, (ProtocolHeader)args.UserToken, false, _settings, settings);
            _connections.Add(connection);
            connection.BeginOpen(AmqpConstants.DefaultTimeout, OnConnectionOpened, connection);
        }
        catch (Exception ex) when (ex is AmqpException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            connection?.SafeClose(ex);
        }
    }

    private static void OnConnectionOpened(IAsyncResult result)
    {
        var connection = (AmqpConnection)result.AsyncState!;
        try
        {
            connection.EndOpen(result);
        }
        catch (Exception ex) when (ex is AmqpException or InvalidOperationException or IOException or ObjectDisposedException or TimeoutException)
        {
            connection.SafeClose(ex);
        }
    }

    public AmqpConnection CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator, AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings) =>
        new(transport, protocolHeader, isInitiator, amqpSettings, connectionSettings);

    public AmqpSession CreateSession(AmqpConnection connection, AmqpSessionSettings settings) => throw new InvalidOperationException("The broker does not begin sessions.");

    public AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        if (settings.Role == true)
        {
            // The client sends: a queue, or the request side of a request-response node.
            settings.MaxMessageSize = ResolveQueue(settings.Target) is { } queue ? queue.Options.MaxMessageSize : 1024 * 1024;
            return new ReceivingAmqpLink(session, settings);
        }

        return new SendingAmqpLink(session, settings);
    }

    public IAsyncResult BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state)
    {
        var address = Normalize(link.IsReceiver ? ((Target)link.Settings.Target).Address : ((Source)link.Settings.Source).Address);
        if (address == ServiceBusWire.Cbs)
        {
            _cbs.Attach(link);
        }
        else if (address.EndsWith("/" + ServiceBusWire.Management, StringComparison.OrdinalIgnoreCase)
            && _managementNodes.TryGetValue(address[..^(ServiceBusWire.Management.Length + 1)], out var management))
        {
            management.Attach(link);
        }
        else
        {
            var queue = Find(address) ?? throw new AmqpException(AmqpErrorCode.NotFound, $"The messaging entity 'sb://127.0.0.1/{address}' could not be found.");
            var activity = Faults.Track(link, _time);
            if (link is ReceivingAmqpLink receiving)
            {
                _ = new QueueSenderLink(queue, receiving, activity);
            }
            else
            {
                _ = new QueueReceiverLink(queue, (SendingAmqpLink)link, activity);
            }
        }

        var result = new CompletedResult(state);
        callback(result);
        return result;
    }

    public void EndOpenLink(IAsyncResult result)
    {
    }

    private BrokerQueue? ResolveQueue(object? terminus) =>
        terminus is Target { Address: not null } target ? Find(Normalize(target.Address)) : null;

    private BrokerQueue? Find(string address)
    {
        if (_queues.TryGetValue(address, out var queue)) return queue;
        var suffix = "/" + ServiceBusWire.DeadLetterQueue;
        return address.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && _queues.TryGetValue(address[..^suffix.Length], out queue)
            ? queue.DeadLetterQueue
            : null;
    }

    private static string Normalize(Address? address) => (address?.ToString() ?? string.Empty).Trim('/');

    private AmqpMessage OnPutToken(AmqpMessage request)
    {
        Interlocked.Increment(ref _tokensReceived);
        return RequestResponseNode.Respond(202, "Accepted", null, ServiceBusWire.CbsStatusCode, ServiceBusWire.CbsStatusDescription);
    }

    private static AmqpMessage OnManagement(BrokerQueue queue, AmqpMessage request)
    {
        var operation = request.ApplicationProperties?.Map[ServiceBusWire.Operation] as string;
        var body = request.ValueBody?.Value as AmqpMap ?? new AmqpMap();
        switch (operation)
        {
            case ServiceBusWire.RenewLock:
            {
                var expirations = new List<DateTime>();
                foreach (var token in LockTokens(body))
                {
                    var until = queue.RenewLock(token);
                    if (until is null) return LockLost();
                    expirations.Add(until.Value);
                }

                return RequestResponseNode.Respond(200, "OK", new AmqpMap { [new MapKey(ServiceBusWire.Expirations)] = expirations.ToArray() });
            }

            case ServiceBusWire.PeekMessage:
            {
                var from = Convert.ToInt64(body[new MapKey(ServiceBusWire.FromSequenceNumber)], System.Globalization.CultureInfo.InvariantCulture);
                var count = Convert.ToInt32(body[new MapKey(ServiceBusWire.MessageCount)], System.Globalization.CultureInfo.InvariantCulture);
                var peeked = queue.Peek(from, count);
                if (peeked.Count == 0) return RequestResponseNode.Respond(204, "No messages", null);
                var list = peeked.Select(m => (object)new AmqpMap { [new MapKey(ServiceBusWire.Message)] = m.Encode() }).ToList();
                return RequestResponseNode.Respond(200, "OK", new AmqpMap { [new MapKey(ServiceBusWire.Messages)] = list });
            }

            case ServiceBusWire.UpdateDisposition:
            {
                var status = body[new MapKey(ServiceBusWire.DispositionStatus)] as string;
                if (status == "defered")
                {
                    return RequestResponseNode.Respond(501, "Deferral is not supported by the test broker (see docs/ARCHITECTURE.md, Service Bus test broker).", null);
                }

                foreach (var token in LockTokens(body))
                {
                    // A message locked by a receive link is settled on that link; once the link is gone the lock can
                    // only run out (BrokerQueue.IsHeldByClosedLink cites the sources).
                    if (queue.IsHeldByClosedLink(token)) return LockLost();
                }

                foreach (var token in LockTokens(body))
                {
                    var held = status switch
                    {
                        "completed" => queue.Complete(token),
                        "abandoned" => queue.Abandon(token),
                        "suspended" => queue.DeadLetter(token, body[new MapKey(ServiceBusWire.DeadLetterReasonKey)] as string, body[new MapKey(ServiceBusWire.DeadLetterDescriptionKey)] as string),
                        _ => throw new InvalidOperationException($"Disposition '{status}' is not supported by the test broker."),
                    };
                    if (!held) return LockLost();
                }

                return RequestResponseNode.Respond(200, "OK", new AmqpMap());
            }

            case ServiceBusWire.ScheduleMessage or ServiceBusWire.CancelScheduledMessage:
                return RequestResponseNode.Respond(501, "Scheduled messages are not supported by the test broker (see docs/ARCHITECTURE.md, Service Bus test broker).", null);

            case ServiceBusWire.ReceiveBySequenceNumber:
                return RequestResponseNode.Respond(501, "Deferral (receive by sequence number) is not supported by the test broker (see docs/ARCHITECTURE.md, Service Bus test broker).", null);

            default:
                return RequestResponseNode.Respond(501, $"Operation '{operation}' is not supported by the test broker.", null);
        }
    }

    private static AmqpMessage LockLost()
    {
        var response = RequestResponseNode.Respond(410, "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.", null);
        response.ApplicationProperties.Map["errorCondition"] = new AmqpSymbol(ServiceBusWire.MessageLockLost);
        return response;
    }

    private static IEnumerable<Guid> LockTokens(AmqpMap body) =>
        body[new MapKey(ServiceBusWire.LockTokens)] is IEnumerable tokens ? tokens.Cast<object>().Select(t => (Guid)t) : [];

    private sealed class CompletedResult(object state) : IAsyncResult
    {
        public object AsyncState { get; } = state;

        public WaitHandle AsyncWaitHandle => throw new NotSupportedException();

        public bool CompletedSynchronously => true;

        public bool IsCompleted => true;
    }
}
