using System.Diagnostics;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// <c>carclass host</c> killed with SIGKILL while messages are in flight, then restarted: every image ends with
/// exactly one row. The 200-image run is in the default test run; the 1,000-image run is
/// <c>scripts/test-long.sh</c> (trait Category=Long).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrashRecoveryTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public Task SigKillMidRun_200Images_RestartGivesEveryImageExactlyOneRow() => RunAsync(200);

    [Fact]
    [Trait("Category", "Long")]
    public Task SigKillMidRun_1000Images_RestartGivesEveryImageExactlyOneRow() =>
        RunAsync(int.TryParse(Environment.GetEnvironmentVariable("CARCLASS_SIGKILL_IMAGES"), out var n) ? n : 1000);

    private async Task RunAsync(int count)
    {
        // Arrange: small images of known colours, all uploaded before the first host starts.
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var prefix = $"sigkill-{Guid.NewGuid():N}/";
        var expected = await UploadColoursAsync(pipeline, prefix, count);
        var cache = Directory.CreateTempSubdirectory("carclass-kill-").FullName;

        // The reconciler's stranded-message check is shortened so the restart does not wait out the queue
        // listener's 10-minute lease on the messages the killed host held.
        var environment = new Dictionary<string, string>
        {
            ["Reconciler__Interval"] = "00:00:03",
            ["Reconciler__GracePeriod"] = "00:00:05",
            ["Reconciler__StuckAfter"] = "00:00:15",
        };
        var clock = Stopwatch.StartNew();
        int atKill, queuedAtKill;
        try
        {
            // Act 1: run until a quarter of the rows exist, then SIGKILL.
            using (var first = CliHostProcess.StartHost(azurite.ConnectionString, cache, environment))
            {
                await first.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
                var deadline = DateTime.UtcNow.AddMinutes(5);
                do
                {
                    await Task.Delay(300);
                    atKill = (await pipeline.ListRowsAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix))).Count;
                }
                while (atKill < count / 4 && DateTime.UtcNow < deadline && !first.HasExited);

                Assert.False(first.HasExited, first.Output);
                queuedAtKill = (await pipeline.Storage.CreateQueueClient(PipelineNames.WorkQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
                first.KillHard();
            }

            output.WriteLine($"{count} images: SIGKILL after {clock.Elapsed.TotalSeconds:F1} s with {atKill} rows written, {queuedAtKill} work messages queued or in flight");
            Assert.InRange(atKill, 1, count - 1);

            // Act 2: restart and wait for every row.
            using var second = CliHostProcess.StartHost(azurite.ConnectionString, cache, environment);
            await second.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            var rows = await pipeline.WaitForRowCountAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix), count, TimeSpan.FromMinutes(8));
            output.WriteLine($"all {count} rows after {clock.Elapsed.TotalSeconds:F1} s; peak RSS of the restarted host {second.PeakResidentBytes() / (1024 * 1024)} MiB");

            // Assert: exactly one row per image, by blob path, each with the right label.
            Assert.Equal(count, rows.Count);
            var byPath = rows.GroupBy(r => r.BlobPath, StringComparer.Ordinal).ToList();
            Assert.Equal(count, byPath.Count);
            Assert.All(byPath, g => Assert.Single(g));
            Assert.All(rows, r => Assert.Equal(expected[r.BlobPath], r.Label));
            output.WriteLine($"rows redelivered (DequeueCount > 1): {rows.Count(r => r.DequeueCount > 1)}; " +
                $"reconciler sweeps that ingested (missed or stranded blobs, counts in each line): {string.Join(" | ", second.Output.Split('\n').Where(l => l.Contains("Reconciler sweep:", StringComparison.Ordinal)))}");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    /// <summary>Uploads <paramref name="count"/> 32x32 JPEGs cycling through the known colours; returns path → colour.</summary>
    internal static async Task<Dictionary<string, string>> UploadColoursAsync(PipelineHost pipeline, string prefix, int count)
    {
        var colours = TestImages.Colours.ToList();
        var bytes = colours.ToDictionary(c => c.Key, c => TestImages.SolidJpeg(c.Value, 32, 32));
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, $"{prefix}{i:D5}.jpg")] = colours[i % colours.Count].Key;
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var colour = colours[i % colours.Count].Key;
            await pipeline.Images.GetBlobClient($"{prefix}{i:D5}.jpg").UploadAsync(BinaryData.FromBytes(bytes[colour]), ct);
        });
        return expected;
    }
}
