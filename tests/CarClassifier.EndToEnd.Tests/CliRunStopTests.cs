using CarClassifier.Cli.Commands.Shared;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Ctrl+C during <c>run</c>: one line saying how far it got, exit 130, no stack trace; the log file has the host's log.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliRunStopTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("carclass-stop-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Run_CtrlCOnceUploaded_SaysStoppedNOfM_Exits130_AndWritesTheLogFile()
    {
        // Arrange: enough images that the run is still going when every blob is there.
        const int count = 120;
        var images = Path.Combine(_temp, "images");
        Directory.CreateDirectory(images);
        var colours = TestImages.Colours.Values.ToList();
        for (var i = 0; i < count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(images, $"{i:D3}.jpg"), TestImages.SolidJpeg(colours[i % colours.Count], 96, 64));
        }

        var prefix = $"stop-{Guid.NewGuid():N}/";
        var log = Path.Combine(_temp, "logs", "run.log");
        using var ctrlC = new CancellationTokenSource();
        var blobs = new PipelineHostlessStorage(azurite).Images;
        await blobs.CreateIfNotExistsAsync();

        // run claims each blob it uploads (its trigger receipt, then its claim check): the upload is complete when every
        // blob under the prefix has its receipt.
        var receipts = Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetParentBlobServiceClient(blobs).GetBlobContainerClient(CarClassifier.Cli.LocalHost.UploadClaims.HostsContainer);

        // Act: Ctrl+C as soon as the upload is complete (the host is then loading the model or classifying).
        var press = Task.Run(async () =>
        {
            while (!ctrlC.IsCancellationRequested)
            {
                var uploaded = 0;
                await receipts.CreateIfNotExistsAsync();
                await foreach (var receipt in receipts.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, CarClassifier.Cli.LocalHost.UploadClaims.ReceiptsPrefix, CancellationToken.None))
                {
                    if (receipt.Name.Contains("/images/" + prefix, StringComparison.Ordinal)) uploaded++;
                }

                if (uploaded >= count) break;
                await Task.Delay(100);
            }

            await ctrlC.CancelAsync();
        });
        var (exit, output) = await CliRunner.RunAsync(
            ["run", "--model", "color-tiny", "--images", images, "--prefix", prefix, "--connection", azurite.ConnectionString, "--log-file", log, "--log-level", "information"],
            null,
            240,
            ctrlC.Token);
        await press;

        // Assert
        Assert.True(exit == ExitCodes.Cancelled, $"exit {exit}:\n{output}");
        Assert.Matches($@"Stopped: \d+ of {count} classified\.", output);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        var logged = await File.ReadAllTextAsync(log);
        Assert.Contains(" info ", logged, StringComparison.Ordinal);
    }
}
