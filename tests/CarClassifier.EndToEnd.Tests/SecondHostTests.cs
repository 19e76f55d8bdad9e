using Azure.Storage.Blobs;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// A running <c>carclass host</c> with one model must not silently take the images of a <c>run</c> with another:
/// the second command sees the first host's heartbeat and refuses before uploading anything.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SecondHostTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("carclass-second-host-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task RunOrHost_WithAnotherModelWhileAHostRuns_RefusesAndUploadsNothing()
    {
        // Arrange: a host with color-tiny, announced in the heartbeat table.
        var cache = Directory.CreateDirectory(Path.Combine(_temp, "cache")).FullName;
        using var first = CliHostProcess.StartHost(azurite.ConnectionString, cache);
        await first.WaitUntilListeningAsync(TimeSpan.FromSeconds(90));
        var storage = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await HostRegistry.ListLiveAsync(storage, CancellationToken.None)).Any(h => h.ProcessId != 0 && h.Model.StartsWith("color-tiny", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no heartbeat from the first host:\n{first.Output}");
            await Task.Delay(200);
        }

        var images = Directory.CreateDirectory(Path.Combine(_temp, "images")).FullName;
        File.WriteAllBytes(Path.Combine(images, "red.png"), TestImages.SolidPng(new SixLabors.ImageSharp.PixelFormats.Rgb24(250, 5, 5), 32, 32));
        var prefix = $"second-host-{Guid.NewGuid():N}/";

        // Act
        var run = await CliRunner.RunAsync("run", "--model", "resnet50-generated", "--images", images, "--prefix", prefix, "--connection", azurite.ConnectionString);
        var host = await CliHostProcess.RunAsync(["host", "--model", "resnet50-generated", "--no-restart", "--connection", azurite.ConnectionString], timeout: TimeSpan.FromSeconds(90));

        // Assert
        Assert.True(run.ExitCode == ExitCodes.OtherModelRunning, $"exit {run.ExitCode}:\n{run.Output}");
        Assert.Contains("different model", run.Output, StringComparison.Ordinal);
        Assert.Contains("color-tiny", run.Output, StringComparison.Ordinal);
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(PipelineNames.ImagesContainer);
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            Assert.Fail($"run uploaded {blob.Name} although it refused to run");
        }

        Assert.True(host.ExitCode == ExitCodes.OtherModelRunning, $"exit {host.ExitCode}:\n{host.Output}");
        Assert.DoesNotContain("Listening on container", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void RowsPerModel_MoreThanOneModel_CountsEach()
    {
        Assert.Null(OtherHosts.RowsPerModel(["a@1", "a@1", null]));
        Assert.Equal("2 with a@1, 1 with b@1", OtherHosts.RowsPerModel(["a@1", "b@1", "a@1"]));
    }
}
