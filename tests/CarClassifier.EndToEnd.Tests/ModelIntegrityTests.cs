using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Models;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// A corrupt cached model (wrong sha256) stops the host at start with a clear message, before any trigger
/// takes a message: nothing is poisoned because of it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ModelIntegrityTests(AzuriteFixture azurite)
{
    private static string CorruptCache()
    {
        var cache = Directory.CreateTempSubdirectory("carclass-corrupt-").FullName;
        File.WriteAllText(Path.Combine(cache, "color-tiny.onnx"), "not the model: a truncated or tampered file");
        return cache;
    }

    [Fact]
    public async Task StartAsync_CorruptCachedModel_ThrowsModelIntegrityException_AndTakesNoMessage()
    {
        // Arrange: a claim check waiting on the work queue, and a cache holding a corrupt model file.
        var cache = CorruptCache();
        await using var storage = await PipelineHost.CreateAsync(azurite);
        var probe = storage.Storage.CreateQueueClient(PipelineNames.WorkQueue);
        await probe.ClearMessagesAsync();
        await storage.Queue.SendAsync(new ClassifyRequest
        {
            Container = PipelineNames.ImagesContainer,
            BlobName = $"integrity-{Guid.NewGuid():N}.jpg",
            EnqueuedAt = DateTimeOffset.UtcNow,
            CorrelationId = "integrity",
        });
        using var host = LocalHostBuilder.Build(new Dictionary<string, string?>
        {
            [PipelineNames.StorageConnection] = azurite.ConnectionString,
            ["Classifier:ModelManifest"] = Path.Combine(RepoPaths.Models, "color-tiny", "manifest.json"),
            ["Classifier:ModelCacheDirectory"] = cache,
        });

        try
        {
            // Act
            var ex = await Assert.ThrowsAsync<ModelIntegrityException>(() => host.StartAsync());

            // Assert: the message names the file, both hashes and what to do.
            Assert.Contains("color-tiny.onnx", ex.Message, StringComparison.Ordinal);
            Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Delete it", ex.Message, StringComparison.Ordinal);

            // The model loads before the WebJobs listeners start, so the waiting message was never delivered.
            var peeked = Assert.Single((await probe.PeekMessagesAsync(32)).Value);
            Assert.Equal(0, peeked.DequeueCount);
        }
        finally
        {
            await probe.ClearMessagesAsync();
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public async Task CarclassHost_CorruptCachedModel_ExitsWithModelUnavailableAndAClearMessage()
    {
        // Arrange
        var cache = CorruptCache();
        try
        {
            // Act
            var (exitCode, output) = await CliHostProcess.RunAsync(
                ["host", "--model", "color-tiny", "--connection", azurite.ConnectionString],
                new Dictionary<string, string> { ["Classifier__ModelCacheDirectory"] = cache });

            // Assert
            Assert.True(exitCode == ExitCodes.ModelUnavailable, $"exit {exitCode}:\n{output}");
            Assert.Contains("Model color-tiny is not available", output, StringComparison.Ordinal);
            Assert.Contains("sha256", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Listening on container", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
