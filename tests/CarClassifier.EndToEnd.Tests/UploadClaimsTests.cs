using System.Text.Json;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// Issue 24: <c>carclass upload</c> against the emulator claims what it uploads (receipt, then claim check, as Event
/// Grid hands blobs to the Azure ingest), and the local host's blob trigger then skips those blobs instead of sending a
/// second claim check; a blob dropped in by other means still goes through the trigger; the reconciler sends nothing more.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UploadClaimsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Upload_ThenHost_EachBlobGetsExactlyOneClaimCheck_TheTriggerStillTakesOtherBlobs()
    {
        // Arrange: classification off, so every claim check stays on the queue to be counted.
        await using var pipeline = await PipelineHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            [$"AzureWebJobs.{PipelineNames.ClassifyFunction}.Disabled"] = "true",
            ["Reconciler:Enabled"] = "false",
            ["Reconciler:GracePeriod"] = "00:00:00",
        });
        var queue = pipeline.Storage.CreateQueueClient(PipelineNames.WorkQueue);
        await queue.ClearMessagesAsync();
        var prefix = $"claims-{Guid.NewGuid():N}/";
        var folder = Directory.CreateTempSubdirectory("carclass-claims-").FullName;
        foreach (var colour in new[] { "red", "green", "blue", "yellow" })
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, colour + ".jpg"), TestImages.SolidJpeg(TestImages.Colours[colour]));
        }

        // Act 1: carclass upload, before any host runs.
        var (exit, output) = await CliRunner.RunAsync("upload", folder, "--prefix", prefix, "--connection", azurite.ConnectionString);
        var afterUpload = await ClaimChecksAsync(queue, prefix);

        // Act 2: a blob written by another means, then the host: its start-up sweep sees all five.
        var other = prefix + "other.jpg";
        await pipeline.Images.GetBlobClient(other).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(TestImages.Colours["blue"])));
        await pipeline.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        List<string> afterHost;
        while (!(afterHost = await ClaimChecksAsync(queue, prefix)).Contains(other) && DateTime.UtcNow < deadline) await Task.Delay(250);
        var reconciler = pipeline.Services.GetServices<IHostedService>().OfType<BlobReconciler>().Single();
        var reconciled = await reconciler.ReconcileAsync();
        await Task.Delay(TimeSpan.FromSeconds(2)); // Anything the trigger might still send arrives now (it would fail the count).
        var final = await ClaimChecksAsync(queue, prefix);

        // Assert
        Assert.True(exit == 0, output);
        Assert.Equal(4, afterUpload.Count);
        Assert.Contains(other, afterHost);
        Assert.Equal(0, reconciled);
        Assert.Equal(5, final.Count);
        Assert.Equal(5, final.Distinct(StringComparer.Ordinal).Count());
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", true)]
    [InlineData("http://localhost:10000/devstoreaccount1", true)]
    [InlineData("http://azurite:10000/devstoreaccount1", true)]
    [InlineData("https://myaccount.blob.core.windows.net/", false)]
    public void AppliesTo_OnlyTheEmulator_NotAnAzureAccountWithEventGrid(string endpoint, bool expected) =>
        Assert.Equal(expected, UploadClaims.AppliesTo(new Uri(endpoint)));

    /// <summary>The blob names of the claim checks on the queue under <paramref name="prefix"/> (peeked: nothing is taken).</summary>
    private static async Task<List<string>> ClaimChecksAsync(Azure.Storage.Queues.QueueClient queue, string prefix)
    {
        var names = new List<string>();
        foreach (var message in (await queue.PeekMessagesAsync(32)).Value)
        {
            var text = message.Body.ToString();
            if (!text.TrimStart().StartsWith('{')) text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text));
            using var json = JsonDocument.Parse(text);
            var name = json.RootElement.EnumerateObject().First(p => p.Name.Equals("blobName", StringComparison.OrdinalIgnoreCase)).Value.GetString()!;
            if (name.StartsWith(prefix, StringComparison.Ordinal)) names.Add(name);
        }

        return names;
    }
}
