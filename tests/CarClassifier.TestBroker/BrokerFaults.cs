using System.Collections.Concurrent;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace CarClassifier.TestBroker;

/// <summary>
/// What the service does to a client that a quiet test broker would not, each switched on from a test:
/// <list type="bullet">
/// <item>Throttling. "Throttling operations on Azure Service Bus"
/// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-throttling): a namespace out of credits refuses
/// sends, receives and peeks with <c>com.microsoft:server-busy</c>, which Azure.Messaging.ServiceBus raises as
/// ServiceBusFailureReason.ServiceBusy and retries after a 10 s back-off (the SDK's TROUBLESHOOTING.md, "ServiceBusy").
/// While <see cref="Throttle"/> has requests left or <see cref="ServerBusy"/> is on, sends are rejected and
/// $management requests answered 503 with that condition, and receive links get no deliveries.</item>
/// <item>Idle link detach. The service force-detaches an entity link that carried nothing for 10 minutes
/// ("AMQP errors in Azure Service Bus", https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-troubleshoot:
/// "link is detached ... due to inactivity"; azure-sdk-for-net#28025 shows "IdleTimerExpired: Idle timeout: 00:10:00").
/// <see cref="IdleLinkTimeout"/> makes the broker do it after a test's own, shorter, time.</item>
/// <item>Latency. A real namespace answers a $management request in 10-30 ms; <see cref="ManagementLatency"/> delays
/// every answer, and <see cref="PeakConcurrentManagementRequests"/> counts how many a client kept in flight at once.</item>
/// </list>
/// </summary>
public sealed class BrokerFaults
{
    /// <summary>The condition the service puts on a throttled request.</summary>
    public const string ServerBusyCondition = "com.microsoft:server-busy";

    private readonly ConcurrentDictionary<AmqpLink, LinkActivity> _links = new();
    private int _throttleLeft;
    private long _throttled;
    private int _managementInFlight;
    private int _peakManagementInFlight;
    private long _idleDetaches;

    /// <summary>Refuse every request with server-busy until switched off.</summary>
    public bool ServerBusy { get; set; }

    /// <summary>Detach a queue send or receive link after it carried nothing this long; null (the default) never does.</summary>
    public TimeSpan? IdleLinkTimeout { get; set; }

    /// <summary>Added before every $management answer (renew-lock, peek, update-disposition).</summary>
    public TimeSpan ManagementLatency { get; set; }

    /// <summary>Requests refused with server-busy so far.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Links the broker detached for inactivity so far.</summary>
    public long IdleDetaches => Interlocked.Read(ref _idleDetaches);

    /// <summary>Most $management requests the broker held at once (those waiting out <see cref="ManagementLatency"/> included).</summary>
    public int PeakConcurrentManagementRequests => Volatile.Read(ref _peakManagementInFlight);

    /// <summary>Refuse the next <paramref name="requests"/> sends, $management requests and receive attempts with server-busy.</summary>
    public void Throttle(int requests) => Interlocked.Exchange(ref _throttleLeft, requests);

    /// <summary>True when this request is to be refused (and counts it).</summary>
    internal bool TryThrottle()
    {
        if (!ServerBusy)
        {
            var left = Volatile.Read(ref _throttleLeft);
            while (true)
            {
                if (left <= 0) return false;
                var seen = Interlocked.CompareExchange(ref _throttleLeft, left - 1, left);
                if (seen == left) break;
                left = seen;
            }
        }

        Interlocked.Increment(ref _throttled);
        return true;
    }

    /// <summary>True while receives get no deliveries (does not use up <see cref="Throttle"/>'s count).</summary>
    internal bool HoldsDeliveries => ServerBusy || Volatile.Read(ref _throttleLeft) > 0;

    internal static Error ServerBusyError() => new()
    {
        Condition = ServerBusyCondition,
        Description = "The request was terminated because the entity is being throttled (test broker). Please wait 2 seconds and try again.",
    };

    internal int ManagementRequestStarted()
    {
        var now = Interlocked.Increment(ref _managementInFlight);
        var peak = Volatile.Read(ref _peakManagementInFlight);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakManagementInFlight, now, peak);
            if (seen == peak) break;
            peak = seen;
        }

        return now;
    }

    internal void ManagementRequestEnded() => Interlocked.Decrement(ref _managementInFlight);

    /// <summary>Starts watching a queue link for inactivity.</summary>
    internal LinkActivity Track(AmqpLink link, TimeProvider time)
    {
        var activity = new LinkActivity(time);
        _links[link] = activity;
        link.Closed += (_, _) => _links.TryRemove(link, out _);
        return activity;
    }

    /// <summary>Detaches the links idle past <see cref="IdleLinkTimeout"/>, with the condition the service uses.</summary>
    internal void DetachIdleLinks(TimeProvider time)
    {
        if (IdleLinkTimeout is not { } timeout) return;
        var now = time.GetUtcNow();
        foreach (var (link, activity) in _links)
        {
            if (now - activity.Last < timeout) continue;
            if (!_links.TryRemove(link, out _)) continue;
            Interlocked.Increment(ref _idleDetaches);
            activity.Detached = true;
            link.SafeClose(new AmqpException(new Error
            {
                Condition = AmqpErrorCode.DetachForced,
                Description = $"The link is force detached. Details: IdleTimerExpired: Idle timeout: {timeout} (test broker).",
            }));
        }
    }

    /// <summary>When a queue link last carried a transfer, a flow or a disposition.</summary>
    internal sealed class LinkActivity(TimeProvider time)
    {
        private long _lastTicks = time.GetUtcNow().UtcTicks;

        /// <summary>Set the moment the broker decides to detach, before the client can have seen it.</summary>
        public bool Detached { get; set; }

        public DateTimeOffset Last => new(Interlocked.Read(ref _lastTicks), TimeSpan.Zero);

        public void Touch() => Interlocked.Exchange(ref _lastTicks, time.GetUtcNow().UtcTicks);
    }
}
