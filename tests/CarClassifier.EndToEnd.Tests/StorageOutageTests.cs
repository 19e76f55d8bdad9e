using System.Diagnostics;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Azurite (disk-persisted) is killed mid-run and started again: the running host recovers by itself and every
/// image ends with exactly one row. Long (trait Category=Long): <c>scripts/test-long.sh</c>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Long")]
    public async Task AzuriteKilledAndRestartedMidRun_HostRecovers_EveryImageExactlyOneRow()
    {
        // Arrange
        const int count = 300;
        await using var azurite = new DiskAzurite();
        await azurite.StartAsync();
        await using var pipeline = await PipelineHost.CreateAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Reconciler:Interval"] = "00:00:03",
            ["Reconciler:GracePeriod"] = "00:00:05",
            ["Reconciler:StuckAfter"] = "00:00:20",
        });
        var prefix = $"outage-{Guid.NewGuid():N}/";
        var rowsPrefix = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix);
        var expected = await CrashRecoveryTests.UploadColoursAsync(pipeline, prefix, count);
        var clock = Stopwatch.StartNew();
        await pipeline.StartAsync();

        // Act: storage disappears once a quarter of the rows exist, for 15 s.
        int before;
        do
        {
            await Task.Delay(300);
            before = (await pipeline.ListRowsAsync(rowsPrefix)).Count;
        }
        while (before < count / 4 && clock.Elapsed < TimeSpan.FromMinutes(3));

        await azurite.StopAsync();
        output.WriteLine($"Azurite killed after {clock.Elapsed.TotalSeconds:F1} s with {before} rows");
        await Task.Delay(TimeSpan.FromSeconds(15));
        await azurite.StartAsync();
        output.WriteLine($"Azurite back after {clock.Elapsed.TotalSeconds:F1} s with {(await pipeline.ListRowsAsync(rowsPrefix)).Count} rows (data survived on disk)");
        var rows = await pipeline.WaitForRowCountAsync(rowsPrefix, count, TimeSpan.FromMinutes(8));
        output.WriteLine($"all {count} rows after {clock.Elapsed.TotalSeconds:F1} s; redelivered: {rows.Count(r => r.DequeueCount > 1)}");

        // Assert
        Assert.InRange(before, 1, count - 1);
        Assert.Equal(count, rows.Count);
        Assert.Equal(count, rows.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
        Assert.All(rows, r => Assert.Equal(expected[r.BlobPath], r.Label));
    }
}
