using System.Diagnostics;
using System.Text.Json;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.Core.Results;
using CarClassifier.TestBroker;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The built <c>carclass</c> with <c>Classifier__Transport=ServiceBus</c>, as a user runs it: <c>run</c> and <c>host</c>
/// ingest to and classify from the tests' Service Bus broker (the real SDK over TCP), Azurite holds blobs and rows, and
/// <c>watch</c> and <c>poison list</c> read the Service Bus queue and its dead letters.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ServiceBusCliTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Run_OnServiceBus_ClassifiesEveryImageThroughTheQueue_OneRowEach_AndWatchAgrees()
    {
        using var broker = new ServiceBusTestBroker();
        var queue = broker.CreateQueue(PipelineNames.WorkQueue, new BrokerQueueOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        using var folder = new TempFolder();
        foreach (var (name, colour) in TestImages.Colours) File.WriteAllBytes(Path.Combine(folder.Path, $"{name}.png"), TestImages.SolidPng(colour));
        File.WriteAllBytes(Path.Combine(folder.Path, "corrupt.jpg"), TestImages.CorruptJpeg());
        var total = TestImages.Colours.Count + 1;
        var prefix = $"sb-cli-run-{Guid.NewGuid():N}/";
        var environment = Environment(broker, folder.Path);

        var (exit, output) = await CliHostProcess.RunAsync(
            ["run", "--images", folder.Path, "--model", "color-tiny", "--prefix", prefix, "--timeout", "120", "--connection", azurite.ConnectionString],
            environment,
            TimeSpan.FromSeconds(300));

        Assert.True(exit == ExitCodes.SomeFailed, $"exit {exit}:\n{output}");
        Assert.Contains($"{total} images: {total - 1} succeeded, 1 failed", output, StringComparison.Ordinal);
        var rows = await ListRowsAsync(prefix);
        Assert.Equal(total, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.BlobPath).Distinct(StringComparer.Ordinal).Count());
        foreach (var (name, _) in TestImages.Colours)
        {
            var row = Assert.Single(rows, r => r.BlobPath.EndsWith($"/{name}.png", StringComparison.Ordinal));
            Assert.Equal(nameof(ClassificationStatus.Succeeded), row.Status);
            Assert.Equal(name, row.Label);
        }

        var corrupt = Assert.Single(rows, r => r.BlobPath.EndsWith("/corrupt.jpg", StringComparison.Ordinal));
        Assert.Equal(nameof(ClassificationStatus.Failed), corrupt.Status);

        // Every claim check went through Service Bus, once each, and run's shutdown completed them all.
        Assert.Equal(total, queue.Deliveries);
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.DeadLetterQueue!.Count);

        var watch = await CliHostProcess.RunAsync(
            ["watch", "--prefix", prefix, "--timeout", "60", "--interval", "200", "--connection", azurite.ConnectionString], environment);
        Assert.True(watch.ExitCode == ExitCodes.SomeFailed, $"exit {watch.ExitCode}:\n{watch.Output}");
        Assert.Contains($"All {total} images have a row: {total - 1} classified, 1 failed", watch.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("dead-letter", watch.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_OnServiceBus_DeadLettersAnAlwaysFailingMessage_PoisonListShowsItsReason_AndWatchPointsToIt()
    {
        using var broker = new ServiceBusTestBroker();
        var queue = broker.CreateQueue(PipelineNames.WorkQueue, new BrokerQueueOptions { MaxDeliveryCount = 2, DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        using var cache = new TempFolder();
        var environment = Environment(broker, cache.Path);
        environment["Classifier__ServiceBus__MaxDeliveryCount"] = "2"; // As the queue's: the worker writes the Poisoned row on the last delivery.

        // One good image, so watch has a prefix to follow.
        var prefix = $"sb-cli-poison-{Guid.NewGuid():N}/";
        var storage = Storage();
        await StorageBootstrapper.EnsureAsync(storage);
        var goodName = $"{prefix}green.png";
        await storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer)
            .GetBlobClient(goodName).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(TestImages.Colours["green"])));

        using var host = CliHostProcess.StartHost(azurite.ConnectionString, cache.Path, environment);
        await host.WaitUntilListeningAsync(Timeout);
        Assert.Contains("Service Bus queue", host.Output, StringComparison.Ordinal);

        // A claim check for a container storage refuses (HTTP 400): every delivery fails until Service Bus gives up.
        var request = new ClassifyRequest
        {
            Container = "Not_A_Container",
            BlobName = $"sb-cli-poison-{Guid.NewGuid():N}.jpg",
            ETag = "\"0x1\"",
            SizeBytes = 10,
            EnqueuedAt = DateTimeOffset.UtcNow,
            CorrelationId = "cli-poison",
        };
        await using (var client = new Azure.Messaging.ServiceBus.ServiceBusClient(broker.ConnectionString))
        await using (var sender = new ServiceBusWorkQueue(client))
        {
            await sender.SendAsync(request);
        }

        var poisonedPath = ResultKeys.BlobPath(request.Container, request.BlobName);
        var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
        var watchClock = Stopwatch.StartNew();
        while (queue.DeadLetterQueue!.Count == 0 || await results.GetAsync(poisonedPath) is null || await results.GetAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, goodName)) is null)
        {
            Assert.False(host.HasExited, host.Output);
            Assert.True(watchClock.Elapsed < Timeout, $"No dead letter and Poisoned row within {Timeout.TotalSeconds} s:\n{host.Output}");
            await Task.Delay(200);
        }

        Assert.Equal(DeadLetterRecorder.PoisonedKind, (await results.GetAsync(poisonedPath))!.ErrorKind);

        var (listExit, listJson) = await CliHostProcess.RunAsync(["poison", "list", "--json", "--connection", azurite.ConnectionString], environment);
        Assert.True(listExit == ExitCodes.Success, listJson);
        var listed = JsonSerializer.Deserialize<List<PoisonMessage>>(listJson[listJson.IndexOf('[', StringComparison.Ordinal)..], new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var dead = Assert.Single(listed, m => m.Queue == PipelineNames.ServiceBusDeadLetterQueue);
        Assert.Equal(poisonedPath, dead.BlobPath);
        Assert.StartsWith("ClassifyFailed: ", dead.Reason, StringComparison.Ordinal);

        var (tableExit, table) = await CliHostProcess.RunAsync(["poison", "list", "--connection", azurite.ConnectionString], environment);
        Assert.True(tableExit == ExitCodes.Success, table);
        Assert.Contains("why:  ClassifyFailed: Gave up after 2 deliveries", table, StringComparison.Ordinal);

        var watch = await CliHostProcess.RunAsync(
            ["watch", "--prefix", prefix, "--timeout", "60", "--interval", "200", "--connection", azurite.ConnectionString], environment);
        Assert.True(watch.ExitCode == ExitCodes.Success, $"exit {watch.ExitCode}:\n{watch.Output}");
        Assert.Contains("All 1 images have a row", watch.Output, StringComparison.Ordinal);
        Assert.Contains("1 message(s) in the Service Bus dead-letter queue", watch.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kafka", null, "Unknown transport 'Kafka'")]
    [InlineData("ServiceBus", null, "no Service Bus connection is configured")]
    [InlineData("ServiceBus", "not a connection string", "Invalid Service Bus connection")]
    public async Task Commands_WithABadTransportSetting_FailAsUsageErrors_InOneLine(string transport, string? connection, string expected)
    {
        var environment = new Dictionary<string, string> { ["Classifier__Transport"] = transport };
        if (connection is not null) environment[PipelineNames.ServiceBusConnection] = connection;

        foreach (var command in new[] { "watch", "poison" })
        {
            string[] arguments = command == "watch"
                ? ["watch", "--timeout", "1", "--connection", azurite.ConnectionString]
                : ["poison", "list", "--connection", azurite.ConnectionString];
            var (exit, output) = await CliHostProcess.RunAsync(arguments, environment);

            Assert.True(exit == ExitCodes.Usage, $"{command}: exit {exit}:\n{output}");
            Assert.Contains(expected, output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // One line, no stack trace.
        }
    }

    [Fact]
    public async Task PoisonList_WhenServiceBusIsUnreachable_SaysSoInOneLine_WithTheStorageUnavailableExitCode()
    {
        string connection;
        using (var gone = new ServiceBusTestBroker())
        {
            connection = gone.ConnectionString; // A port nothing listens on once the broker is disposed.
        }

        var environment = new Dictionary<string, string> { ["Classifier__Transport"] = nameof(MessageTransport.ServiceBus), [PipelineNames.ServiceBusConnection] = connection };
        var (exit, output) = await CliHostProcess.RunAsync(["poison", "list", "--connection", azurite.ConnectionString], environment);

        Assert.True(exit == ExitCodes.StorageUnavailable, $"exit {exit}:\n{output}");
        Assert.Contains("Service Bus is not reachable", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(ServiceBusTestBroker broker, string modelCache) => new()
    {
        ["Classifier__Transport"] = nameof(MessageTransport.ServiceBus),
        [PipelineNames.ServiceBusConnection] = broker.ConnectionString,
        ["Classifier__ServiceBus__MaxWaitMilliseconds"] = "200",
        ["Classifier__ServiceBus__DeadLetterScanSeconds"] = "1",
        ["Classifier__ModelCacheDirectory"] = modelCache,
    };

    private StorageClientFactory Storage() =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build());

    private async Task<List<ClassificationResult>> ListRowsAsync(string prefix)
    {
        var results = new ResultStore(Storage().CreateTableClient(PipelineNames.ResultsTable));
        var rows = new List<ClassificationResult>();
        await foreach (var row in results.ListAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix))) rows.Add(row);
        return rows;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("carclass-sb-cli-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp folder.
            }
        }
    }
}
