using System.Text.Json;
using Azure.Storage.Queues;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// <c>poison list</c> peeks (the dequeue count stays) and says why each message failed; <c>purge</c> asks first and
/// deletes only what it is told; <c>replay --all</c> sends them back. Messages are put in the poison queue directly,
/// as the queue trigger leaves them (PoisonTests covers the real path into the queue).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliPoisonTests(AzuriteFixture azurite)
{
    private string[] Args(params string[] args) => [.. args, "--connection", azurite.ConnectionString];

    private StorageClientFactory Storage() => new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build());

    /// <summary>Two poisoned classify requests; the first blob has the classifier's Poisoned row, the second none.</summary>
    private async Task<(string WithRow, string WithoutRow)> PoisonTwoAsync()
    {
        var storage = Storage();
        await StorageBootstrapper.EnsureAsync(storage);
        var poison = storage.CreateQueueClient(PipelineNames.PoisonQueue);
        await poison.ClearMessagesAsync();
        await ClearBlobTriggerPoisonAsync(storage);
        var prefix = $"poisoned-{Guid.NewGuid():N}/";
        var ids = new List<string>();
        foreach (var name in new[] { "a.jpg", "b.jpg" })
        {
            var request = new ClassifyRequest { Container = PipelineNames.ImagesContainer, BlobName = prefix + name, CorrelationId = Guid.NewGuid().ToString("N") };
            ids.Add((await poison.SendMessageAsync(request.ToJson())).Value.MessageId);
        }

        await new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable)).UpsertAsync(new ClassificationResult
        {
            BlobPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + "a.jpg"),
            Status = "Failed",
            ErrorKind = "Poisoned",
            Error = "Failed on all 5 deliveries: the results table answered 503 Server Busy",
            ProcessedAt = DateTimeOffset.UtcNow,
        });
        return (ids[0], ids[1]);
    }

    private static async Task ClearBlobTriggerPoisonAsync(StorageClientFactory storage)
    {
        var queue = storage.CreateQueueClient(BlobTriggerPoisonQueue.Name, QueueMessageEncoding.None);
        await queue.CreateIfNotExistsAsync();
        await queue.ClearMessagesAsync();
    }

    private async Task<List<JsonElement>> ListAsync()
    {
        var (exit, output) = await CliRunner.RunAsync(Args("poison", "list", "--json"));
        Assert.True(exit == ExitCodes.Success, output);
        return JsonDocument.Parse(output).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [Fact]
    public async Task List_Peeks_DequeueCountUnchanged_AndShowsWhyEachFailed()
    {
        var (withRow, withoutRow) = await PoisonTwoAsync();

        var first = await ListAsync();
        var second = await ListAsync();
        var (exit, text) = await CliRunner.RunAsync(Args("poison", "list"), null, 80, CancellationToken.None);

        Assert.Equal(2, second.Count);
        Assert.All(second, m => Assert.Equal(0, m.GetProperty("dequeueCount").GetInt64()));
        Assert.Equal(first.Select(m => m.GetProperty("messageId").GetString()), second.Select(m => m.GetProperty("messageId").GetString()));
        var explained = second.Single(m => m.GetProperty("messageId").GetString() == withRow);
        Assert.Equal("Poisoned: Failed on all 5 deliveries: the results table answered 503 Server Busy", explained.GetProperty("reason").GetString());
        Assert.Contains("no row could be written", second.Single(m => m.GetProperty("messageId").GetString() == withoutRow).GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("why:  Poisoned: Failed on all 5", text, StringComparison.Ordinal);
        // The listing fits 80 columns; the closing hint is prose with commands in it, left for the terminal to wrap.
        Assert.All(text.Split('\n').Where(l => !l.Contains("Fix the cause, then run", StringComparison.Ordinal)), l => Assert.True(l.TrimEnd('\r').Length <= 80, l));
    }

    [Fact]
    public async Task Purge_AsksFirst_DeletesOnlyTheGivenId()
    {
        var (withRow, withoutRow) = await PoisonTwoAsync();

        var unconfirmed = await CliRunner.RunAsync(Args("poison", "purge", "--id", withRow));
        var afterUnconfirmed = await ListAsync();
        var purged = await CliRunner.RunAsync(Args("poison", "purge", "--id", withRow, "--yes"));
        var afterPurge = await ListAsync();
        var unknown = await CliRunner.RunAsync(Args("poison", "purge", "--id", "no-such-id", "--yes"));

        Assert.Equal(ExitCodes.Usage, unconfirmed.ExitCode);
        Assert.Contains("--yes", unconfirmed.Output, StringComparison.Ordinal);
        Assert.Equal(2, afterUnconfirmed.Count);
        Assert.True(purged.ExitCode == ExitCodes.Success, purged.Output);
        Assert.Contains("Deleted 1 poison message(s).", purged.Output, StringComparison.Ordinal);
        Assert.Equal([withoutRow], afterPurge.Select(m => m.GetProperty("messageId").GetString()));
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        await Storage().CreateQueueClient(PipelineNames.PoisonQueue).ClearMessagesAsync();
    }

    [Fact]
    public async Task BlobTriggerPoison_IsListedWithItsBlobAndWhy_AndPurged()
    {
        // What the WebJobs blob extension writes to its poison queue after the ingest trigger's last try: Base64 JSON.
        var storage = Storage();
        await StorageBootstrapper.EnsureAsync(storage);
        await storage.CreateQueueClient(PipelineNames.PoisonQueue).ClearMessagesAsync();
        await ClearBlobTriggerPoisonAsync(storage);
        var blobName = $"ingest-poisoned-{Guid.NewGuid():N}/a.jpg";
        var body = JsonSerializer.Serialize(new { Type = "BlobTrigger", FunctionId = "Host.Functions.IngestImage", BlobType = "BlockBlob", ContainerName = PipelineNames.ImagesContainer, BlobName = blobName, ETag = "\"0x1\"" });
        var queue = storage.CreateQueueClient(BlobTriggerPoisonQueue.Name, QueueMessageEncoding.None);
        var id = (await queue.SendMessageAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)))).Value.MessageId;

        var listed = await ListAsync();
        var purged = await CliRunner.RunAsync(Args("poison", "purge", "--id", id, "--yes"));
        var afterPurge = await ListAsync();

        var message = Assert.Single(listed);
        Assert.Equal(BlobTriggerPoisonQueue.Name, message.GetProperty("queue").GetString());
        Assert.Equal(ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName), message.GetProperty("blobPath").GetString());
        Assert.Contains("The ingest trigger failed on every try", message.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(purged.ExitCode == ExitCodes.Success, purged.Output);
        Assert.Contains("Deleted 1 poison message(s).", purged.Output, StringComparison.Ordinal);
        Assert.Empty(afterPurge);
    }

    [Fact]
    public async Task ReplayAll_SendsEveryMessageBackToTheWorkQueue()
    {
        await PoisonTwoAsync();
        var work = Storage().CreateQueueClient(PipelineNames.WorkQueue);
        await work.ClearMessagesAsync();

        var (exit, output) = await CliRunner.RunAsync(Args("poison", "replay", "--all"));

        Assert.True(exit == ExitCodes.Success, output);
        Assert.Contains("Replayed 2 message(s).", output, StringComparison.Ordinal);
        Assert.Empty(await ListAsync());
        var requeued = (await work.PeekMessagesAsync(32)).Value;
        Assert.Equal(2, requeued.Length);

        // Leave the work queue as found: these blobs do not exist.
        await work.ClearMessagesAsync();
    }
}
