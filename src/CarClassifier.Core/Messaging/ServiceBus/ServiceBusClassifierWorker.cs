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
/// while the batch runs (<see cref="ServiceBusLockRenewal"/>, concurrently), for at most
/// <see cref="ServiceBusOptions.MaxLockRenewalSeconds"/>: a batch that hangs past that is given up on, its unsettled
/// messages abandoned so Service Bus delivers them again (and dead-letters them once they run out of deliveries) rather
/// than holding them locked for ever. On shutdown the batch in flight gets <see cref="ServiceBusOptions.ShutdownGraceSeconds"/>
/// to finish and whatever is left is abandoned, so nothing waits for its lock to run out.
/// </summary>
public sealed class ServiceBusClassifierWorker : BackgroundService
{
    private readonly ServiceBusClient _client;
    private readonly ServiceBusBatchSettler _settler;
    /// <summary>How long handlers get to react to cancellation when their batch is given up on, before the worker abandons for them.</summary>
    private static readonly TimeSpan GiveUpWait = TimeSpan.FromSeconds(5);

    private readonly ServiceBusOptions _options;
    private readonly int _batchSize;
    private readonly ServiceBusLockRenewal _renewal;
    private readonly TimeProvider _time;
    private readonly ILogger<ServiceBusClassifierWorker> _logger;

    public ServiceBusClassifierWorker(
        ServiceBusClient client,
        ImageClassifier classifier,
        IOptions<ServiceBusOptions> options,
        IOptions<ClassifierOptions> classifierOptions,
        TimeProvider time,
        ILogger<ServiceBusClassifierWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
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
        _renewal = new ServiceBusLockRenewal(_options.LockRenewalConcurrency, logger);
        _time = time;
    }

    /// <summary>Batches received so far and the messages in them (for the benchmark and the logs).</summary>
    public long BatchesReceived => Interlocked.Read(ref _batches);

    public long MessagesReceived => Interlocked.Read(ref _messages);

    /// <summary>Batches given up on after <see cref="ServiceBusOptions.MaxLockRenewalSeconds"/>.</summary>
    public long BatchesGivenUp => Interlocked.Read(ref _givenUp);

    private long _batches;
    private long _messages;
    private long _givenUp;

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
                await DelayQuietlyAsync(TimeSpan.FromSeconds(2), _time, stoppingToken).ConfigureAwait(false);
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
        // Given up on after MaxLockRenewalSeconds, or on shutdown once the grace and GiveUpWait have passed (handlers
        // that ignore cancellation must not hold the host past its shutdown timeout, grace + ShutdownSettleSeconds).
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(_options.MaxLockRenewalSeconds), _time);
        using var onStopDeadline = stoppingToken.Register(() => deadline.CancelAfter(TimeSpan.FromSeconds(_options.ShutdownGraceSeconds) + GiveUpWait));
        var renewal = RenewLocksAsync(receiver, pending, renewing.Token);
        var work = Task.WhenAll(batch.Select(message => HandleAsync(receiver, message, pending, processing.Token)));
        try
        {
            await work.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await GiveUpAsync(receiver, batch.Count, pending, work, processing, stoppingToken.IsCancellationRequested).ConfigureAwait(false);
        }
        finally
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The batch outlived <see cref="ServiceBusOptions.MaxLockRenewalSeconds"/>: renewal has stopped; cancel its work (a
    /// handler that notices abandons its own message), and abandon for those that do not notice within a few seconds. The
    /// worker then moves on: a handler that never returns keeps its thread, and if it ever settles, that settle fails
    /// (lock lost) and is logged; its message has been delivered again meanwhile and its row is upserted idempotently.
    /// </summary>
    private async Task GiveUpAsync(ServiceBusReceiver receiver, int batchSize, HashSet<ServiceBusReceivedMessage> pending, Task work, CancellationTokenSource processing, bool stopping)
    {
        Interlocked.Increment(ref _givenUp);
        int unfinished;
        lock (pending) unfinished = pending.Count;
        if (stopping)
        {
            _logger.LogWarning(
                "Shutting down: {Unfinished} of a batch of {BatchSize} did not stop within the grace (Classifier:ServiceBus:ShutdownGraceSeconds); abandoning them",
                unfinished, batchSize);
        }
        else
        {
            _logger.LogWarning(
                "Batch of {BatchSize} still had {Unfinished} messages unfinished after {Seconds} s (Classifier:ServiceBus:MaxLockRenewalSeconds): lock renewal stopped and they are abandoned, to be delivered again",
                batchSize, unfinished, _options.MaxLockRenewalSeconds);
        }

        await processing.CancelAsync().ConfigureAwait(false);
        try
        {
            // On shutdown the handlers were cancelled GiveUpWait ago already.
            if (!stopping) await work.WaitAsync(GiveUpWait, _time).ConfigureAwait(false);
            if (work.IsCompleted) return;
        }
        catch (TimeoutException)
        {
            // Stuck past cancellation (e.g. a call that ignores its token).
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return; // HandleAsync never throws; should it, the batch is over all the same.
        }

        ServiceBusReceivedMessage[] stuck;
        lock (pending)
        {
            stuck = [.. pending];
            pending.Clear(); // No longer ours: nothing renews or waits for them.
        }

        foreach (var message in stuck) await _settler.AbandonAsync(receiver, message).ConfigureAwait(false);
        _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
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

    /// <summary>Renews every unsettled lock of the batch each <see cref="ServiceBusOptions.LockRenewalSeconds"/>, until cancelled.</summary>
    private async Task RenewLocksAsync(ServiceBusReceiver receiver, HashSet<ServiceBusReceivedMessage> pending, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(_options.LockRenewalSeconds);
        while (await DelayQuietlyAsync(interval, _time, cancellationToken).ConfigureAwait(false))
        {
            ServiceBusReceivedMessage[] held;
            lock (pending) held = [.. pending];
            if (held.Length > 0) await _renewal.RenewAsync(receiver, held, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits; false when cancelled instead of throwing.</summary>
    private static async Task<bool> DelayQuietlyAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
