using Azure.Messaging.ServiceBus;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>Ingest's side of the Service Bus transport: the same claim check, sent with a <see cref="ServiceBusSender"/>.</summary>
public sealed class ServiceBusWorkQueue : WorkQueue, IAsyncDisposable
{
    private readonly ServiceBusSender _sender;

    public ServiceBusWorkQueue(ServiceBusClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _sender = client.CreateSender(PipelineNames.WorkQueue);
    }

    public override async Task SendAsync(ClassifyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _sender.SendMessageAsync(ClassifyMessages.ToMessage(request), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _sender.DisposeAsync();
}
