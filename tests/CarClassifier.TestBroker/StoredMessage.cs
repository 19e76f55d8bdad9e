using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace CarClassifier.TestBroker;

/// <summary>
/// One message as the broker keeps it: the sections the sender wrote (copied out of the pooled frame buffers) plus the
/// broker's own state. Each delivery builds a fresh AMQP message from these, stamped with that delivery's lock.
/// </summary>
public sealed class StoredMessage
{
    private readonly Properties _properties;
    private readonly List<KeyValuePair<MapKey, object>> _applicationProperties;
    private readonly List<KeyValuePair<MapKey, object>> _annotations;
    private readonly List<byte[]> _data;
    private readonly object? _value;
    private readonly uint? _ttl;

    private StoredMessage(AmqpMessage source)
    {
        var sections = source.Sections;
        _properties = new Properties();
        if ((sections & SectionFlag.Properties) != 0)
        {
            var p = source.Properties;
            _properties.MessageId = p.MessageId;
            _properties.CorrelationId = p.CorrelationId;
            _properties.ContentType = p.ContentType;
            _properties.ContentEncoding = p.ContentEncoding;
            _properties.Subject = p.Subject;
            _properties.To = p.To;
            _properties.ReplyTo = p.ReplyTo;
            _properties.GroupId = p.GroupId;
            _properties.ReplyToGroupId = p.ReplyToGroupId;
            _properties.CreationTime = p.CreationTime;
            _properties.AbsoluteExpiryTime = p.AbsoluteExpiryTime;
        }

        _applicationProperties = (sections & SectionFlag.ApplicationProperties) != 0
            ? source.ApplicationProperties.Map.Select(kv => new KeyValuePair<MapKey, object>(kv.Key, Copy(kv.Value))).ToList()
            : [];
        _annotations = (sections & SectionFlag.MessageAnnotations) != 0
            ? source.MessageAnnotations.Map.Select(kv => new KeyValuePair<MapKey, object>(kv.Key, Copy(kv.Value))).ToList()
            : [];
        _ttl = (sections & SectionFlag.Header) != 0 ? source.Header.Ttl : null;
        _data = [];
        if ((source.BodyType & SectionFlag.Data) != 0 && source.DataBody is not null)
        {
            foreach (var data in source.DataBody)
            {
                _data.Add(ToArray((ArraySegment<byte>)data.Value));
            }
        }
        else if ((source.BodyType & SectionFlag.AmqpValue) != 0)
        {
            _value = Copy(source.ValueBody.Value);
        }
    }

    /// <summary>Service-assigned, increasing per queue.</summary>
    public long SequenceNumber { get; internal set; }

    public DateTime EnqueuedTimeUtc { get; internal set; }

    /// <summary>Deliveries so far (the AMQP header carries this minus one: the count of earlier failed attempts).</summary>
    public int DeliveryCount { get; internal set; }

    public Guid LockToken { get; internal set; }

    public DateTime LockedUntilUtc { get; internal set; }

    /// <summary>The receive link that holds the lock; null while the message is available.</summary>
    internal object? LockedBy { get; set; }

    public string? MessageId => _properties.MessageId?.ToString();

    public string? CorrelationId => _properties.CorrelationId?.ToString();

    public string? DeadLetterReason { get; internal set; }

    public string? DeadLetterErrorDescription { get; internal set; }

    /// <summary>Only on messages auto-forwarded out of a dead-letter queue, which the broker does not do: always null.</summary>
    public string? DeadLetterSource { get; internal set; }

    /// <summary>The annotation the SDK sets for ScheduleMessageAsync or ServiceBusMessage.ScheduledEnqueueTime.</summary>
    internal bool IsScheduled => _annotations.Any(kv => ServiceBusWire.ScheduledEnqueueTime.Equals(kv.Key.Key as string ?? kv.Key.Key?.ToString(), StringComparison.Ordinal));

    /// <summary>When the message's time-to-live runs out (MaxValue when it has none).</summary>
    public DateTime ExpiresAtUtc => _ttl is { } ttl ? EnqueuedTimeUtc.AddMilliseconds(ttl) : DateTime.MaxValue;

    /// <summary>The body as one byte array (Data sections joined; a string AmqpValue as UTF-8).</summary>
    public byte[] Body => _data.Count > 0
        ? _data.SelectMany(d => d).ToArray()
        : _value is string s ? System.Text.Encoding.UTF8.GetBytes(s) : [];

    /// <summary>Splits what a sender link transferred: one message, or the SDK's batch (format 0x80013700, one Data section per encoded message).</summary>
    public static IReadOnlyList<StoredMessage> FromTransfer(AmqpMessage transfer)
    {
        if (transfer.MessageFormat != AmqpConstants.AmqpBatchedMessageFormat)
        {
            return [new StoredMessage(transfer)];
        }

        var messages = new List<StoredMessage>();
        foreach (var data in transfer.DataBody)
        {
            var bytes = ToArray((ArraySegment<byte>)data.Value);
            using var inner = AmqpMessage.CreateAmqpStreamMessage(new BufferListStream([new ArraySegment<byte>(bytes)]), true);
            messages.Add(new StoredMessage(inner));
        }

        return messages;
    }

    /// <summary>
    /// The copy that goes to the dead-letter sub-queue: body, properties, reason, and the service's own state as it was.
    /// It keeps SequenceNumber, EnqueuedTime and DeliveryCount: "Message sequencing and timestamps"
    /// (https://learn.microsoft.com/azure/service-bus-messaging/message-sequencing) calls the sequence number the
    /// message's "true identifier", assigned once when the entity accepts it, and DeliveryCount counts the delivery
    /// attempts the message had ("Message transfers, locks, and settlement"); a move to the sub-queue is not a new
    /// submission. DeadLetterSource stays unset: the SDK's reference (ServiceBusReceivedMessage.DeadLetterSource,
    /// https://learn.microsoft.com/dotnet/api/azure.messaging.servicebus.servicebusreceivedmessage.deadlettersource) says
    /// it is "only set in messages that have been dead-lettered and subsequently auto-forwarded from the dead-letter
    /// queue to another entity", which the broker does not do.
    /// </summary>
    internal StoredMessage ToDeadLetter(string? reason, string? description)
    {
        var copy = (StoredMessage)MemberwiseClone();
        copy.DeadLetterReason = reason;
        copy.DeadLetterErrorDescription = description;
        copy.LockedBy = null;
        copy.LockToken = Guid.Empty;
        return copy;
    }

    /// <summary>A new AMQP message for one delivery (or a peek), with the service's annotations on it.</summary>
    internal AmqpMessage ToAmqp(bool locked)
    {
        var message = _data.Count > 0 || _value is null
            ? AmqpMessage.Create(_data.Select(d => new Data { Value = new ArraySegment<byte>(d) }).ToList())
            : AmqpMessage.Create(new AmqpValue { Value = _value });
        var p = message.Properties;
        p.MessageId = _properties.MessageId;
        p.CorrelationId = _properties.CorrelationId;
        p.ContentType = _properties.ContentType;
        p.ContentEncoding = _properties.ContentEncoding;
        p.Subject = _properties.Subject;
        p.To = _properties.To;
        p.ReplyTo = _properties.ReplyTo;
        p.GroupId = _properties.GroupId;
        p.ReplyToGroupId = _properties.ReplyToGroupId;
        p.CreationTime = _properties.CreationTime;
        p.AbsoluteExpiryTime = _properties.AbsoluteExpiryTime;

        if (_applicationProperties.Count > 0 || DeadLetterReason is not null || DeadLetterErrorDescription is not null)
        {
            message.ApplicationProperties = new ApplicationProperties();
            foreach (var kv in _applicationProperties) message.ApplicationProperties.Map[kv.Key] = kv.Value;
            if (DeadLetterReason is not null) message.ApplicationProperties.Map[ServiceBusWire.DeadLetterReason] = DeadLetterReason;
            if (DeadLetterErrorDescription is not null) message.ApplicationProperties.Map[ServiceBusWire.DeadLetterErrorDescription] = DeadLetterErrorDescription;
        }

        foreach (var kv in _annotations) message.MessageAnnotations.Map[kv.Key] = kv.Value;
        message.MessageAnnotations.Map[ServiceBusWire.SequenceNumber] = SequenceNumber;
        message.MessageAnnotations.Map[ServiceBusWire.EnqueuedTime] = EnqueuedTimeUtc;
        if (locked) message.MessageAnnotations.Map[ServiceBusWire.LockedUntil] = LockedUntilUtc;
        if (DeadLetterSource is not null) message.MessageAnnotations.Map[ServiceBusWire.DeadLetterSource] = DeadLetterSource;

        // AMQP's delivery-count counts earlier unsuccessful deliveries; the SDK adds one for a locked receive
        // (AmqpMessageConverter: "isPeeked ? DeliveryCount : DeliveryCount + 1").
        message.Header.DeliveryCount = (uint)Math.Max(0, locked ? DeliveryCount - 1 : DeliveryCount);
        if (_ttl is not null) message.Header.Ttl = _ttl;
        return message;
    }

    /// <summary>The whole message encoded, as peek returns it.</summary>
    internal ArraySegment<byte> Encode()
    {
        using var message = ToAmqp(locked: false);
        using var stream = (BufferListStream)message.ToStream();
        return stream.ReadBytes((int)stream.Length);
    }

    private static byte[] ToArray(ArraySegment<byte> segment) => segment.AsSpan().ToArray();

    /// <summary>Binary values point into pooled frame buffers; everything else decodes to managed objects.</summary>
    private static object Copy(object value) => value is ArraySegment<byte> segment ? new ArraySegment<byte>(ToArray(segment)) : value;
}
