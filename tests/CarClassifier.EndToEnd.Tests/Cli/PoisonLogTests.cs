using Azure.Storage.Queues;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests.Cli;

/// <summary>
/// What <c>carclass host</c> logs when a message runs out of deliveries: one short line naming it, on the console and
/// in --log-file, with no stack trace (issue 16: "a poisoned message logs one line, not 5 KB twice").
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PoisonLogTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    /// <summary>What the one line says (PoisonLineQueueProcessorFactory).</summary>
    private const string PoisonLine = "moved to " + PipelineNames.PoisonQueue;

    [Fact]
    public async Task Host_MessageRunsOutOfDeliveries_LogsOneShortLine()
    {
        // Arrange: a message no classifier can read, already delivered 4 times (receiving it is what counts a delivery),
        // so the host's first delivery is the fifth and last (host.json: maxDequeueCount 5).
        var storage = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build());
        await StorageBootstrapper.EnsureAsync(storage);
        var work = storage.CreateQueueClient(PipelineNames.WorkQueue);
        var poison = storage.CreateQueueClient(PipelineNames.PoisonQueue);
        await work.ClearMessagesAsync();
        await poison.ClearMessagesAsync();
        var body = $"not-a-classify-request-{Guid.NewGuid():N}";
        var messageId = (await work.SendMessageAsync(body)).Value.MessageId;
        await DeliverAsync(work, messageId, times: 4);

        var folder = Directory.CreateTempSubdirectory("carclass-poison-log-");
        var logFile = Path.Combine(folder.FullName, "host.log");
        using var host = CliHostProcess.Start(
            ["host", "--no-restart", "--model", "color-tiny", "--connection", azurite.ConnectionString, "--log-file", logFile],
            new Dictionary<string, string> { ["Classifier__ModelCacheDirectory"] = Path.Combine(folder.FullName, "models") });

        // Act: wait until the host moved it to the poison queue and said so.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var poisoned = false;
        while (!(poisoned && host.Output.Contains(PoisonLine, StringComparison.Ordinal)) && DateTime.UtcNow < deadline && !host.HasExited)
        {
            await Task.Delay(500);
            poisoned = poisoned || (await poison.PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == body);
        }

        host.KillHard();
        var console = host.Output.Split('\n');
        var file = File.Exists(logFile) ? await File.ReadAllLinesAsync(logFile) : [];
        output.WriteLine("console:\n" + string.Join('\n', console));
        output.WriteLine("file:\n" + string.Join('\n', file));

        // Assert: on the console and in the file, one line says it was poisoned, names it and gives the reason, short;
        // no stack trace, no WebJobs repeat of the failure, no line twice.
        Assert.True(poisoned, string.Join('\n', console));
        foreach (var (name, lines) in new[] { ("console", console), ("--log-file", file) })
        {
            var about = lines.Where(l => l.Contains(messageId, StringComparison.Ordinal) || l.Contains(body, StringComparison.Ordinal)).ToList();
            var line = Assert.Single(about, l => l.Contains(PoisonLine, StringComparison.Ordinal));
            Assert.Contains($"Message {messageId} (not a classify request) moved to {PipelineNames.PoisonQueue} after 5 deliveries: The message is not a classify request", line, StringComparison.Ordinal);
            Assert.True(line.Length < 300 && line[line.IndexOf("Message ", StringComparison.Ordinal)..].Length < 250, $"{name}: {line.Length} characters: {line}");
            Assert.Equal(about.Count, about.Distinct(StringComparer.Ordinal).Count());
            Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("--- End of inner exception", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("FunctionInvocationException", StringComparison.Ordinal) || l.Contains("fail Host.Results", StringComparison.Ordinal) || l.Contains("fail Results:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Describe_MessageOf64KiBQuotedByItsError_StaysOneShortLine()
    {
        var body = "{\"container\":\"images\",\"blobName\":\"" + new string('x', 64 * 1024) + "\n";
        var error = new InvalidDataException("The message is not a classify request: '" + body + "' is not JSON.\n   at Somewhere()");

        var line = PoisonLineQueueProcessorFactory.Describe("id-1", body, 5, PipelineNames.PoisonQueue, new AggregateException(error));

        Assert.DoesNotContain('\n', line);
        Assert.True(line.Length < 300, $"{line.Length} characters: {line}");
        Assert.StartsWith($"Message id-1 (not a classify request) moved to {PipelineNames.PoisonQueue} after 5 deliveries: The message is not a classify request: '{{", line, StringComparison.Ordinal);
        Assert.EndsWith("…", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ClassifyRequest_NamesItsBlob()
    {
        var body = new ClassifyRequest { Container = "images", BlobName = "batch-7/red.jpg", CorrelationId = "c1" }.ToJson();

        var line = PoisonLineQueueProcessorFactory.Describe("id-2", body, 5, PipelineNames.PoisonQueue, new InvalidOperationException("The results table answered 503."));

        Assert.Equal($"Message id-2 (images/batch-7/red.jpg) moved to {PipelineNames.PoisonQueue} after 5 deliveries: The results table answered 503.", line);
    }

    /// <summary>Receives the message <paramref name="times"/> times with a one-second visibility timeout.</summary>
    private static async Task DeliverAsync(QueueClient queue, string messageId, int times)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var count = 0;
        while (count < times)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Delivered {count} of {times} times within 60 s.");
            var received = (await queue.ReceiveMessageAsync(TimeSpan.FromSeconds(1))).Value;
            if (received?.MessageId == messageId) count = (int)received.DequeueCount;
            else await Task.Delay(200);
        }
    }
}
