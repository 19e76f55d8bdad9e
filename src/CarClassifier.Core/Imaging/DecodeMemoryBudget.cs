namespace CarClassifier.Core.Imaging;

/// <summary>
/// Bytes the decode stage may hold at once (blob buffers and decoder buffers), shared by every message in flight.
/// The host takes up to 64 messages at a time and one hostile 436 KB PNG costs about 440 MB to decode (issue 15, hole 6),
/// so concurrency alone does not bound memory: each decode first reserves its estimated bytes here and waits, async and
/// cancellable, while the budget is spent. Waiters are served in arrival order, so a large image is not starved by a
/// stream of small ones. A request larger than the whole budget is cut to the whole budget: it waits until nothing
/// else is reserved and then runs alone, so it is never refused and never deadlocks.
/// </summary>
public sealed class DecodeMemoryBudget
{
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _inUse;
    private long _peak;

    /// <param name="capacityBytes">The budget; at least 1 byte.</param>
    public DecodeMemoryBudget(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1);
        CapacityBytes = capacityBytes;
    }

    /// <summary>The budget, in bytes.</summary>
    public long CapacityBytes { get; }

    /// <summary>Bytes reserved now.</summary>
    public long InUseBytes
    {
        get { lock (_gate) return _inUse; }
    }

    /// <summary>The most bytes ever reserved at once (never above <see cref="CapacityBytes"/>).</summary>
    public long PeakInUseBytes
    {
        get { lock (_gate) return _peak; }
    }

    /// <summary>Requests waiting for bytes now.</summary>
    public int Waiting
    {
        get { lock (_gate) return _waiters.Count; }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> (cut to <see cref="CapacityBytes"/>), waiting while the budget is spent.
    /// Dispose the lease to give them back.
    /// </summary>
    public async ValueTask<Lease> ReserveAsync(long bytes, CancellationToken cancellationToken = default)
    {
        long granted = await AcquireAsync(bytes, cancellationToken).ConfigureAwait(false);
        return new Lease(this, granted);
    }

    private ValueTask<long> AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long wanted = Math.Clamp(bytes, 0, CapacityBytes);
        Waiter waiter;
        lock (_gate)
        {
            // Only when nobody is queued: otherwise a small request would overtake a large one forever.
            if (_waiters.Count == 0 && _inUse + wanted <= CapacityBytes)
            {
                Take(wanted);
                return ValueTask.FromResult(wanted);
            }

            waiter = new Waiter(wanted);
            waiter.Node = _waiters.AddLast(waiter);
        }

        return new ValueTask<long>(WaitAsync(waiter, cancellationToken));
    }

    private async Task<long> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(static state => ((Waiter)state!).Completion.TrySetCanceled(), waiter))
        {
            try
            {
                return await waiter.Completion.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    // Still queued (a granted waiter's task holds its result, so it never gets here).
                    if (waiter.Node?.List is not null)
                    {
                        _waiters.Remove(waiter.Node);
                        GrantWaiters(); // the head may have been what blocked the others
                    }
                }

                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    private void Release(long bytes)
    {
        if (bytes == 0) return;
        lock (_gate)
        {
            _inUse -= bytes;
            GrantWaiters();
        }
    }

    /// <summary>Grants queued requests in order while they fit. Caller holds the lock.</summary>
    private void GrantWaiters()
    {
        while (_waiters.First is { } first && _inUse + first.Value.Bytes <= CapacityBytes)
        {
            _waiters.RemoveFirst();
            var waiter = first.Value;
            waiter.Node = null;
            if (waiter.Completion.Task.IsCompleted) continue; // cancelled; its handler finds it gone from the list
            if (waiter.Completion.TrySetResult(waiter.Bytes))
            {
                Take(waiter.Bytes);
            }
        }
    }

    private void Take(long bytes)
    {
        _inUse += bytes;
        if (_inUse > _peak) _peak = _inUse;
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }

    /// <summary>Bytes held from the budget until disposed.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly DecodeMemoryBudget _budget;

        internal Lease(DecodeMemoryBudget budget, long bytes)
        {
            _budget = budget;
            Bytes = bytes;
        }

        /// <summary>Bytes this lease holds now (after any cut to the budget).</summary>
        public long Bytes { get; private set; }

        /// <summary>
        /// Makes this lease hold <paramref name="totalBytes"/> (cut to the budget). When the budget has room and nobody
        /// waits, it grows in place; otherwise it gives its bytes back and queues for the total, so two growing leases can
        /// never each hold half and wait for the other (no deadlock). Shrinking gives the difference back at once.
        /// </summary>
        public async ValueTask ResizeAsync(long totalBytes, CancellationToken cancellationToken = default)
        {
            long wanted = Math.Clamp(totalBytes, 0, _budget.CapacityBytes);
            if (wanted <= Bytes)
            {
                long freed = Bytes - wanted;
                Bytes = wanted;
                _budget.Release(freed);
                return;
            }

            lock (_budget._gate)
            {
                if (_budget._waiters.Count == 0 && _budget._inUse + (wanted - Bytes) <= _budget.CapacityBytes)
                {
                    _budget.Take(wanted - Bytes);
                    Bytes = wanted;
                    return;
                }
            }

            long held = Bytes;
            Bytes = 0;
            _budget.Release(held);
            Bytes = await _budget.AcquireAsync(wanted, cancellationToken).ConfigureAwait(false);
        }

        public void Dispose()
        {
            long held = Bytes;
            Bytes = 0;
            _budget.Release(held);
        }
    }
}
