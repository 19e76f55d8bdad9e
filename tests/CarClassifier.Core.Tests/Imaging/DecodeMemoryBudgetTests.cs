using CarClassifier.Core.Imaging;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// Issue 15, hole 6: the decode stage's memory budget. Reservations beyond it wait (async, cancellable) until bytes are
/// given back; an image needing more than the whole budget runs alone; nothing deadlocks. The waits have no time limit
/// (a loaded machine may be slow to run a continuation): a deadlock hangs the run, which its hang timeout reports
/// (scripts/test.sh: --blame-hang-timeout).
/// </summary>
public sealed class DecodeMemoryBudgetTests
{
    [Fact]
    public async Task ReservationOverTheBudget_WaitsUntilBytesAreGivenBack()
    {
        var budget = new DecodeMemoryBudget(100);
        var first = await budget.ReserveAsync(70);

        var second = budget.ReserveAsync(40).AsTask();

        Assert.False(second.IsCompleted);
        Assert.Equal(1, budget.Waiting);
        first.Dispose();
        using var granted = await second;
        Assert.Equal(40, granted.Bytes);
        Assert.Equal(40, budget.InUseBytes);
        Assert.Equal(70, budget.PeakInUseBytes);
    }

    [Fact]
    public async Task ImageLargerThanTheWholeBudget_RunsAlone_NeverDeadlocks()
    {
        var budget = new DecodeMemoryBudget(100);
        var small = await budget.ReserveAsync(10);

        var huge = budget.ReserveAsync(1_000_000).AsTask();
        Assert.False(huge.IsCompleted);
        small.Dispose();
        using var alone = await huge;

        Assert.Equal(100, alone.Bytes);
        Assert.Equal(100, budget.InUseBytes);
        Assert.False(budget.ReserveAsync(1).AsTask().IsCompleted);
    }

    [Fact]
    public async Task LargeWaiter_IsNotOvertakenBySmallerOnes()
    {
        var budget = new DecodeMemoryBudget(100);
        var held = await budget.ReserveAsync(60);
        var large = budget.ReserveAsync(80).AsTask();

        var small = budget.ReserveAsync(10).AsTask(); // would fit now, but the large one came first

        Assert.False(small.IsCompleted);
        held.Dispose();
        using var largeLease = await large;
        using var smallLease = await small;
        Assert.Equal(90, budget.InUseBytes);
    }

    [Fact]
    public async Task CancelledWaiter_LeavesTheQueue_AndThoseBehindItProceed()
    {
        var budget = new DecodeMemoryBudget(100);
        var held = await budget.ReserveAsync(50);
        using var cancel = new CancellationTokenSource();
        var blocked = budget.ReserveAsync(90, cancel.Token).AsTask();
        var behind = budget.ReserveAsync(30).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        using var proceeded = await behind;
        Assert.Equal(80, budget.InUseBytes);
        held.Dispose();
        Assert.Equal(30, budget.InUseBytes);
    }

    [Fact]
    public async Task TwoLeasesGrowingPastTheBudget_BothFinish()
    {
        // Each holds its blob bytes, then grows to its decode estimate: holding and waiting would deadlock.
        var budget = new DecodeMemoryBudget(100);
        var a = await budget.ReserveAsync(40);
        var b = await budget.ReserveAsync(40);

        var growA = a.ResizeAsync(90).AsTask();
        var growB = b.ResizeAsync(90).AsTask();
        await growA;
        Assert.False(growB.IsCompleted);
        a.Dispose();
        await growB;

        Assert.Equal(90, b.Bytes);
        b.Dispose();
        Assert.Equal(0, budget.InUseBytes);
        Assert.True(budget.PeakInUseBytes <= 100);
    }

    [Fact]
    public async Task ManyConcurrentDecodes_NeverHoldMoreThanTheBudget()
    {
        var budget = new DecodeMemoryBudget(1000);
        long over = 0;
        long held = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 200), async (i, ct) =>
        {
            using var lease = await budget.ReserveAsync(50 + (i * 37 % 400), ct);
            await lease.ResizeAsync(100 + (i * 53 % 900), ct);
            long now = Interlocked.Add(ref held, lease.Bytes);
            if (now > 1000) Interlocked.Increment(ref over);
            await Task.Yield();
            Interlocked.Add(ref held, -lease.Bytes);
        });

        Assert.Equal(0, over);
        Assert.Equal(0, budget.InUseBytes);
        Assert.Equal(0, budget.Waiting);
    }
}
