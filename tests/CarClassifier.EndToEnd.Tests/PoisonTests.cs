using System.Text.Json;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using Microsoft.Extensions.DependencyInjection;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// A table write that keeps failing: the client retries, the queue redelivers up to maxDequeueCount (host.json: 5),
/// then the message lands in the poison queue; once the cause is fixed, <c>carclass poison replay</c> finishes it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PoisonTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task TableWritesKeepFailing_MessageIsPoisoned_ThenReplayedOnceFixed()
    {
        // Arrange: a running host, then the results table disappears (every upsert now fails with 404, not retried
        // by the client since it is not transient, so the exception reaches the queue trigger).
        // The reconciler is off so that the blob is poisoned exactly once (it would otherwise re-ingest it once).
        // The blob is uploaded before the host starts (its start-up sweep always sees it; the polling trigger can miss
        // blobs written during a sweep), and the host must not recreate the table at start.
        await using var pipeline = await PipelineHost.CreateAsync(
            azurite,
            new Dictionary<string, string?> { ["Reconciler:Enabled"] = "false", ["Classifier:CreateStorageResources"] = "false" });
        var poisonQueue = pipeline.Storage.CreateQueueClient(PipelineNames.PoisonQueue);
        await poisonQueue.ClearMessagesAsync();
        var name = $"poison-{Guid.NewGuid():N}/red.jpg";
        var path = ResultKeys.BlobPath(PipelineNames.ImagesContainer, name);
        var table = pipeline.Storage.CreateTableClient(PipelineNames.ResultsTable);
        await table.DeleteAsync();
        await pipeline.Images.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(TestImages.Colours["red"])));
        await pipeline.StartAsync();
        var poison = pipeline.Services.GetRequiredService<PoisonQueues>();

        try
        {
            // Act 1: wait for the poison queue (5 deliveries, 10 s visibility timeout apart: about 50 s on an idle
            // machine). The deadline only guards against a hang: on a loaded 2-core machine the five deliveries took
            // over 150 s, and a test must not fail because the machine is busy.
            PoisonMessage? poisoned = null;
            var deadline = DateTime.UtcNow.AddMinutes(8);
            while (poisoned is null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(2000);
                poisoned = (await poison.ListAsync()).FirstOrDefault(m => m.BlobPath == path);
            }

            // Assert 1
            Assert.NotNull(poisoned);
            Assert.Equal(PipelineNames.PoisonQueue, poisoned.Queue);

            // The CLI lists it too, and refuses a replay without --all or --id.
            var (listExit, listOutput) = await CliHostProcess.RunAsync(["poison", "list", "--json", "--connection", azurite.ConnectionString]);
            Assert.True(listExit == ExitCodes.Success, listOutput);
            var listed = JsonDocument.Parse(listOutput[listOutput.IndexOf('[', StringComparison.Ordinal)..]).RootElement;
            Assert.Contains(listed.EnumerateArray(), m => m.GetProperty("messageId").GetString() == poisoned.MessageId);
            var (usageExit, _) = await CliHostProcess.RunAsync(["poison", "replay", "--connection", azurite.ConnectionString]);
            Assert.Equal(ExitCodes.Usage, usageExit);
            var (missingExit, _) = await CliHostProcess.RunAsync(["poison", "replay", "--id", "no-such-id", "--connection", azurite.ConnectionString]);
            Assert.Equal(ExitCodes.NotFound, missingExit);

            // Act 2: fix the cause, replay that one message with the CLI.
            await table.CreateIfNotExistsAsync();
            var (replayExit, replayOutput) = await CliHostProcess.RunAsync(["poison", "replay", "--id", poisoned.MessageId, "--connection", azurite.ConnectionString]);

            // Assert 2: replayed once, classified, poison queue empty again.
            Assert.True(replayExit == ExitCodes.Success, replayOutput);
            var row = (await pipeline.WaitForRowsAsync([path], TimeSpan.FromSeconds(60)))[path];
            Assert.Equal("red", row.Label);
            Assert.DoesNotContain(await poison.ListAsync(), m => m.BlobPath == path);
            Assert.Single(await pipeline.ListRowsAsync(path));
        }
        finally
        {
            await table.CreateIfNotExistsAsync();
        }
    }
}
