using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// One pass of lock renewals over a batch's unsettled messages, <see cref="ServiceBusOptions.LockRenewalConcurrency"/>
/// requests at a time: the SDK renews one message per $management round trip, so a pass over a large batch one at a
/// time could outlast the renewal interval or the lock itself. A renewal that fails is logged and skipped: the message
/// was settled meanwhile, or its lock is gone and it will be delivered again (its row is upserted again, idempotently).
/// </summary>
public sealed class ServiceBusLockRenewal
{
    private readonly int _concurrency;
    private readonly ILogger _logger;

    public ServiceBusLockRenewal(int concurrency, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentNullException.ThrowIfNull(logger);
        _concurrency = concurrency;
        _logger = logger;
    }

    /// <summary>Renews each message's lock; returns how many renewals succeeded. Stops quietly when cancelled.</summary>
    public async Task<int> RenewAsync(ServiceBusReceiver receiver, IReadOnlyCollection<ServiceBusReceivedMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(messages);
        var renewed = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(messages, options, async (message, token) =>
            {
                try
                {
                    await receiver.RenewMessageLockAsync(message, token).ConfigureAwait(false);
                    Interlocked.Increment(ref renewed);
                }
                catch (ServiceBusException ex)
                {
                    _logger.LogDebug("Lock renewal for message {MessageId} failed: {Reason}", message.MessageId, ex.Reason);
                }
                catch (ObjectDisposedException)
                {
                    // The receiver closed (shutdown): nothing left to renew on it.
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: the batch finished or gave up.
        }

        return renewed;
    }
}
