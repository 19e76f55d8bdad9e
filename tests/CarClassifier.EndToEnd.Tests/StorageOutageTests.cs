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
        await using var pipeline = await PipelineHost.CreateAsync(azurite.ConnectionString);
        var prefix = $"outage-{Guid.NewGuid():N}/";
        var rowsPrefix = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix);
        var expected = await CrashRecoveryTests.UploadColoursAsync(pipeline, prefix, count);
        var clock = Stopwatch.StartNew();

        // The host runs as `carclass host` in its own process: a crash there is a finding, not a dead test run.
        var cache = Directory.CreateTempSubdirectory("carclass-outage-").FullName;
        using var host = CliHostProcess.StartHost(azurite.ConnectionString, cache, new Dictionary<string, string>
        {
            ["Reconciler__Interval"] = "00:00:03",
            ["Reconciler__GracePeriod"] = "00:00:15",
            ["Reconciler__StuckAfter"] = "00:00:20",
        });
        await host.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));

        // Act: storage goes away once a quarter of the rows exist, for 15 s.
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
        var rows = await WaitForRowsOrHostExitAsync(pipeline, host, rowsPrefix, count);
        output.WriteLine($"all {count} rows after {clock.Elapsed.TotalSeconds:F1} s; redelivered: {rows.Count(r => r.DequeueCount > 1)}; " +
            $"reconciler sweeps that ingested: {string.Join(" | ", host.Output.Split('\n').Where(l => l.Contains("Reconciler sweep:", StringComparison.Ordinal)))}; " +
            $"host process restarts by the supervisor: {host.Output.Split('\n').Count(l => l.Contains("The host process exited", StringComparison.Ordinal))}");
        host.KillHard();
        Directory.Delete(cache, recursive: true);

        // Assert
        Assert.InRange(before, 1, count - 1);
        Assert.Equal(count, rows.Count);
        Assert.Equal(count, rows.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
        Assert.All(rows, r => Assert.Equal(expected[r.BlobPath], r.Label));
    }

    private static async Task<List<ClassificationResult>> WaitForRowsOrHostExitAsync(PipelineHost pipeline, CliHostProcess host, string prefix, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(8);
        List<ClassificationResult> rows;
        do
        {
            Assert.False(host.HasExited, $"carclass host died during the outage:\n{string.Join('\n', host.Output.Split('\n').TakeLast(60))}");
            rows = await pipeline.ListRowsAsync(prefix);
            if (rows.Count >= count) return rows;
            await Task.Delay(1000);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"only {rows.Count} of {count} rows after 8 minutes");
        return rows;
    }
}
