using System.Diagnostics;
using System.Globalization;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Load: 10,000 small images through the local pipeline (<c>carclass host</c> as a child process, colour model) on
/// Azurite: exactly that many rows, no duplicates, the host's peak memory reported and bounded.
/// Trait Category=Soak, run by <c>scripts/soak.sh</c> (CARCLASS_SOAK_IMAGES overrides the count).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SoakTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const long PeakMemoryLimit = 1536L * 1024 * 1024;

    [Fact]
    [Trait("Category", "Soak")]
    public async Task TenThousandImages_ExactlyOneRowEach_PeakMemoryBounded()
    {
        // Arrange
        var count = int.TryParse(Environment.GetEnvironmentVariable("CARCLASS_SOAK_IMAGES"), out var n) ? n : 10_000;
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var prefix = $"soak-{Guid.NewGuid():N}/";
        var rowsPrefix = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix);
        var clock = Stopwatch.StartNew();
        var expected = await CrashRecoveryTests.UploadColoursAsync(pipeline, prefix, count);
        var uploaded = clock.Elapsed;
        var cache = Directory.CreateTempSubdirectory("carclass-soak-").FullName;
        try
        {
            // Act
            using var host = CliHostProcess.StartHost(azurite.ConnectionString, cache);
            await host.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            clock.Restart();
            var rows = await pipeline.WaitForRowCountAsync(rowsPrefix, count, TimeSpan.FromMinutes(40));
            var processing = clock.Elapsed;
            var peak = host.PeakResidentBytes();

            // Assert
            var report = string.Create(
                CultureInfo.InvariantCulture,
                $"soak: {count} images, upload {uploaded.TotalSeconds:F0} s, all rows {processing.TotalSeconds:F0} s " +
                $"({count / processing.TotalSeconds:F1} images/s), rows {rows.Count}, distinct paths {rows.Select(r => r.BlobPath).Distinct().Count()}, " +
                $"failed {rows.Count(r => r.Status != nameof(ClassificationStatus.Succeeded))}, wrong labels {rows.Count(r => expected[r.BlobPath] != r.Label)}, " +
                $"peak RSS {peak / (1024 * 1024)} MiB, mean batch {rows.Average(r => r.BatchSize):F1}");
            var lines = host.Output.Split('\n');
            var restarts = lines.Count(l => l.Contains("The host process exited", StringComparison.Ordinal));
            report += string.Create(CultureInfo.InvariantCulture, $", host process restarts {restarts}");
            output.WriteLine(report);
            foreach (var line in lines.Where(l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.Contains("The host process exited", StringComparison.Ordinal)).Take(10))
            {
                output.WriteLine(line);
            }

            var reportPath = Environment.GetEnvironmentVariable("CARCLASS_SOAK_REPORT");
            if (!string.IsNullOrEmpty(reportPath)) await File.WriteAllTextAsync(reportPath, report + Environment.NewLine);

            Assert.Equal(count, rows.Count);
            Assert.Equal(count, rows.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
            Assert.All(rows, r => Assert.Equal(expected[r.BlobPath], r.Label));
            Assert.NotNull(peak);
            Assert.True(peak < PeakMemoryLimit, $"peak RSS {peak} bytes over {PeakMemoryLimit}");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
