using Azure.Messaging.ServiceBus;
using CarClassifier.Core.Classification;
using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Messaging.ServiceBus;

/// <summary>
/// The classifier on Service Bus: receives up to a batch of claim checks (PeekLock), classifies them concurrently so
/// their decodes run in parallel and the shared <see cref="Batching.InferenceBatcher"/> runs them as one ONNX batch,
/// and settles each message on its own once its row is written (<see cref="ServiceBusBatchSettler"/>). Locks are renewed
/// while the batch runs; on shutdown the batch in flight gets <see cref="ServiceBusOptions.ShutdownGraceSeconds"/> to
/// finish and whatever is left is abandoned, so nothing waits for its lock to run out.
/// </summary>
public sealed class ServiceBusClassifierWorker : BackgroundService
{
    private readonly ServiceBusClient _client;
    private readonly ServiceBusBatchSettler _settler;
    private readonly ServiceBusOptions _options;
    private readonly int _batchSize;
    private readonly ILogger<ServiceBusClassifierWorker> _logger;

    public ServiceBusClassifierWorker(
        ServiceBusClient client,
        ImageClassifier classifier,
        IOptions<ServiceBusOptions> options,
        IOptions<ClassifierOptions> classifierOptions,
        ILogger<ServiceBusClassifierWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(classifierOptions);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _options = options.Value;
        _batchSize = _options.ReceiveBatchSize > 0 ? _options.ReceiveBatchSize : classifierOptions.Value.MaxBatchSize;
        _logger = logger;
        _settler = new ServiceBusBatchSettler(classifier, _options, logger);
    }

    /// <summary>Batches received so far and the messages in them (for the benchmark and the logs).</summary>
    public long BatchesReceived => Interlocked.Read(ref _batches);

    public long MessagesReceived => Interlocked.Read(ref _messages);

    private long _batches;
    private long _messages;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var receiver = _client.CreateReceiver(PipelineNames.WorkQueue, new ServiceBusReceiverOptions
        {
            ReceiveMode = ServiceBusReceiveMode.PeekLock,
            PrefetchCount = _options.PrefetchCount,
        });
        _logger.LogInformation(
            "Receiving from Service Bus queue {Queue} in batches of up to {BatchSize} (prefetch {Prefetch})",
            PipelineNames.WorkQueue, _batchSize, _options.PrefetchCount);
        var maxWait = TimeSpan.FromMilliseconds(_options.MaxWaitMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<ServiceBusReceivedMessage> batch;
            try
            {
                // Not cancelled by the stop signal: a receive cancelled while its messages are arriving drops them on
                // the floor, locked at the broker until their lock runs out. Waiting at most maxWait instead means
                // every message the broker locked for us comes back here and is handled or abandoned below.
                batch = await receiver.ReceiveMessagesAsync(_batchSize, maxWait, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ServiceBusException ex) when (ex.IsTransient || ex.Reason == ServiceBusFailureReason.ServiceCommunicationProblem)
            {
                // The client already retried; keep the worker alive and try again shortly.
                _logger.LogWarning("Service Bus receive failed ({Reason}): {Message}; retrying", ex.Reason, ex.Message.Split('\n')[0]);
                await DelayQuietlyAsync(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (batch.Count == 0) continue;
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _messages, batch.Count);
            await ProcessBatchAsync(receiver, batch, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task ProcessBatchAsync(ServiceBusReceiver receiver, IReadOnlyList<ServiceBusReceivedMessage> batch, CancellationToken stoppingToken)
    {
        // Processing outlives the stop signal by the grace period: a batch that is nearly done finishes and completes.
        using var processing = new CancellationTokenSource();
        using var onStop = stoppingToken.Register(() => processing.CancelAfter(TimeSpan.FromSeconds(_options.ShutdownGraceSeconds)));
        using var renewing = new CancellationTokenSource();
        var pending = new HashSet<ServiceBusReceivedMessage>(batch);
        var renewal = RenewLocksAsync(receiver, pending, renewing.Token);
        try
        {
            await Task.WhenAll(batch.Select(message => HandleAsync(receiver, message, pending, processing.Token))).ConfigureAwait(false);
        }
        finally
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, HashSet<ServiceBusReceivedMessage> pending, CancellationToken cancellationToken)
    {
        // Yield first so each message's download and decode start on their own thread-pool turn.
        await Task.Yield();
        try
        {
            await _settler.HandleAsync(receiver, message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (pending) pending.Remove(message);
        }
    }

    /// <summary>Renews every unsettled lock of the batch each <see cref="ServiceBusOptions.LockRenewalSeconds"/>.</summary>
    private async Task RenewLocksAsync(ServiceBusReceiver receiver, HashSet<ServiceBusReceivedMessage> pending, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(_options.LockRenewalSeconds);
        while (await DelayQuietlyAsync(interval, cancellationToken).ConfigureAwait(false))
        {
            ServiceBusReceivedMessage[] held;
            lock (pending) held = [.. pending];
            foreach (var message in held)
            {
                try
                {
                    await receiver.RenewMessageLockAsync(message, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (ServiceBusException ex)
                {
                    // Settled meanwhile, or the lock is already lost: the message will be redelivered and its row upserted again.
                    _logger.LogDebug("Lock renewal for message {MessageId} failed: {Reason}", message.MessageId, ex.Reason);
                }
            }
        }
    }

    /// <summary>Waits; false when cancelled instead of throwing.</summary>
    private static async Task<bool> DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
