using CarClassifier.Core.Batching;
using CarClassifier.Core.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CarClassifier.Core.Tests.Batching;

/// <summary>
/// The batcher's delay runs on a fake clock: nothing here sleeps or waits on real time, so a loaded machine cannot
/// change which batches form (the clock moves only when a test advances it).
/// </summary>
public sealed class InferenceBatcherTests
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(50);

    private readonly ArmedClock _time = new();

    /// <summary>
    /// A fake clock that says when the batcher arms its delay timer. Advancing the clock between the batcher reading the
    /// time and creating its timer would push the timer's due time past every later advance (a fake clock jumps, where
    /// a real one moves on by microseconds), and the test would hang: so tests advance only once a timer is armed.
    /// </summary>
    private sealed class ArmedClock : FakeTimeProvider
    {
        private readonly SemaphoreSlim _armed = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _armed.Release();
            return timer;
        }

        /// <summary>Waits until the batcher has armed a timer since the last call (no time limit: a hang is the run's hang timeout).</summary>
        public Task WaitUntilArmedAsync() => _armed.WaitAsync();
    }

    /// <summary>A real (if tiny) model in plain C#: the score of class k is image[k] summed with nothing else; it records batch sizes.</summary>
    private sealed class EchoModel(bool fail = false) : IBatchModel
    {
        public List<int> BatchSizes { get; } = [];

        public int ImageLength => 3;

        public int ClassCount => 3;

        public int InputBuffersAllocated { get; private set; }

        public TrackedBuffer? Input { get; private set; }

        public bool EveryRunReadTheAllocatedBuffer { get; private set; } = true;

        public System.Buffers.IMemoryOwner<float> AllocateInput(int length)
        {
            InputBuffersAllocated++;
            Input = new TrackedBuffer(length);
            return Input;
        }

        public TimeSpan Run(Memory<float> input, Memory<float> output, int batchSize)
        {
            lock (BatchSizes) BatchSizes.Add(batchSize);
            EveryRunReadTheAllocatedBuffer &= Input is not null && input.Equals(Input.Memory);
            if (fail) throw new InvalidOperationException("model exploded");
            input.Span[..(batchSize * 3)].CopyTo(output.Span);
            return TimeSpan.FromMilliseconds(1);
        }
    }

    /// <summary>An input buffer that remembers being released.</summary>
    private sealed class TrackedBuffer(int length) : System.Buffers.IMemoryOwner<float>
    {
        private readonly PinnedArrayMemory _memory = new(length);

        public bool Disposed { get; private set; }

        public Memory<float> Memory => _memory.Memory;

        public void Dispose() => Disposed = true;
    }

    private InferenceBatcher Create(IBatchModel model, int maxBatch) =>
        new(model, ["a", "b", "c"], OutputKind.Probabilities, new BatcherOptions(maxBatch, MaxDelay, 3), NullLogger<InferenceBatcher>.Instance, _time);

    [Fact]
    public async Task ClassifyAsync_ConcurrentCallers_ShareBatchesAndEachGetsOwnResult()
    {
        var model = new EchoModel();
        await using var batcher = Create(model, maxBatch: 8);

        var tasks = Enumerable.Range(0, 24)
            .Select(i => batcher.ClassifyAsync(new float[] { i % 3 == 0 ? 1 : 0, i % 3 == 1 ? 1 : 0, i % 3 == 2 ? 1 : 0 }))
            .ToArray();
        var results = await Task.WhenAll(tasks);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 3, results[i].TopK[0].Index);
        }

        // The clock never moved, so no batch could close on its delay: only full batches ran, and nobody waited.
        Assert.Equal([8, 8, 8], model.BatchSizes);
        Assert.All(results, r => Assert.Equal(8, r.BatchSize));
        Assert.All(results, r => Assert.Equal(TimeSpan.Zero, r.BatchWait));
    }

    [Fact]
    public async Task Batches_AllReadTheModelsOwnInputBuffer_ReleasedOnDispose()
    {
        // The model decides where batches live (page-locked memory under CUDA); the batcher must use that one buffer.
        var model = new EchoModel();
        var batcher = Create(model, maxBatch: 4);

        var callers = Enumerable.Range(0, 10).Select(_ => batcher.ClassifyAsync(new float[] { 1, 0, 0 })).ToArray();
        var all = Task.WhenAll(callers);
        while (!all.IsCompleted)
        {
            // The last two close on the delay. Every image was queued before the clock first moves, so only the last
            // batch can wait for company; a timer armed earlier, while images were still arriving, is simply moved past.
            await Task.WhenAny(all, _time.WaitUntilArmedAsync());
            _time.Advance(MaxDelay);
        }

        await all;
        await batcher.DisposeAsync();

        Assert.Equal(1, model.InputBuffersAllocated);
        Assert.Equal([4, 4, 2], model.BatchSizes);
        Assert.True(model.EveryRunReadTheAllocatedBuffer);
        Assert.True(model.Input!.Disposed);
    }

    [Fact]
    public async Task ClassifyAsync_LoneCaller_RunsAfterMaxDelayWithoutCompany()
    {
        var model = new EchoModel();
        await using var batcher = Create(model, maxBatch: 32);

        var lone = batcher.ClassifyAsync(new float[] { 0, 0, 1 });
        await _time.WaitUntilArmedAsync();
        _time.Advance(MaxDelay / 2);
        Assert.False(lone.IsCompleted); // half the delay is not enough
        _time.Advance(MaxDelay / 2);
        var result = await lone;

        Assert.Equal("c", result.TopK[0].Label);
        Assert.Equal(1, result.BatchSize);
        // It ran when the delay was up, not before (half the delay was not enough) and not later.
        Assert.Equal(MaxDelay, result.BatchWait);
    }

    [Fact]
    public async Task ClassifyAsync_ModelThrows_EveryCallerInTheBatchSeesTheError()
    {
        var model = new EchoModel(fail: true);
        await using var batcher = Create(model, maxBatch: 4);

        var tasks = Enumerable.Range(0, 4).Select(_ => batcher.ClassifyAsync(new float[] { 1, 0, 0 })).ToArray();

        foreach (var task in tasks)
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => task);
            Assert.Equal("model exploded", ex.Message);
        }
    }

    [Fact]
    public async Task ClassifyAsync_WrongTensorLength_ThrowsArgumentException()
    {
        await using var batcher = Create(new EchoModel(), maxBatch: 4);

        await Assert.ThrowsAsync<ArgumentException>(() => batcher.ClassifyAsync(new float[5]));
    }

    [Fact]
    public async Task ClassifyAsync_CallerCancelsBeforeBatchRuns_IsCancelledAndOthersStillSucceed()
    {
        // The batch of two forms only when the second caller arrives, after the first has cancelled; the fake clock
        // never reaches the delay, so a starved test thread (busy CI machine) cannot let the batch run early.
        var model = new EchoModel();
        await using var batcher = Create(model, maxBatch: 2);
        using var cts = new CancellationTokenSource();

        var cancelled = batcher.ClassifyAsync(new float[] { 1, 0, 0 }, cts.Token);
        await cts.CancelAsync();
        var kept = batcher.ClassifyAsync(new float[] { 0, 1, 0 });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal("b", (await kept).TopK[0].Label);
        Assert.Equal([1], model.BatchSizes); // the cancelled caller cost no inference
    }
}
