using System.Text.Json;
using Azure.Data.Tables;
using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Results;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// <c>results</c> options (--since, --limit, jsonl, --summary, --vehicles-only), <c>batches</c>, and what <c>results</c>
/// and <c>watch</c> say when the prefix holds nothing or nothing consumes the queue; rows written straight to the table.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliResultsTests(AzuriteFixture azurite)
{
    private string[] Args(params string[] args) => [.. args, "--connection", azurite.ConnectionString];

    private StorageClientFactory Storage() => new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build());

    /// <summary>A sports car (now), a tabby cat (3 h ago) and a corrupt file, as blobs and rows under a fresh prefix.</summary>
    private async Task<string> SeedAsync()
    {
        var prefix = $"opts-{Guid.NewGuid():N}/";
        var storage = Storage();
        await StorageBootstrapper.EnsureAsync(storage);
        var images = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer);
        var store = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, label, index, status, at) in new[]
        {
            ("car.jpg", "sports car", 817, "Succeeded", now),
            ("cat.jpg", "tabby", 281, "Succeeded", now.AddHours(-3)),
            ("bad.jpg", null, -1, "Failed", now),
        })
        {
            await images.GetBlobClient(prefix + name).UploadAsync(BinaryData.FromBytes(TestImages.CorruptJpeg()), overwrite: true);
            await store.UpsertAsync(new ClassificationResult
            {
                BlobPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + name),
                Status = status,
                Label = label,
                Probability = label is null ? null : 0.9,
                TopK = label is null ? null : $"[{{\"index\":{index},\"label\":\"{label}\",\"probability\":0.9}}]",
                Model = "resnet50-v1-12@1.12",
                ErrorKind = label is null ? "Corrupt" : null,
                Error = label is null ? "not an image" : null,
                ProcessedAt = at,
            });
        }

        return prefix;
    }

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Results_SinceLimitVehiclesOnlyJsonl_FilterWhatAUserAsksFor()
    {
        var prefix = await SeedAsync();

        var all = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--format", "jsonl"));
        var limited = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--format", "jsonl", "--limit", "2"));
        var recent = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--format", "jsonl", "--since", "1h"));
        var vehicles = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--format", "jsonl", "--vehicles-only"));

        Assert.Equal(3, JsonLines(all.Output).Count);
        Assert.Equal(2, JsonLines(limited.Output).Count);
        Assert.Equal(["bad.jpg", "car.jpg"], JsonLines(recent.Output).Select(r => r.GetProperty("blobName").GetString()![prefix.Length..]).Order(StringComparer.Ordinal));
        var car = Assert.Single(JsonLines(vehicles.Output));
        Assert.Equal("sports car", car.GetProperty("vehicleType").GetString());
        Assert.All([all, limited, recent, vehicles], r => Assert.Equal(ExitCodes.Success, r.ExitCode));
    }

    [Fact]
    public async Task Results_Summary_CountsPerStatusVehicleTypeAndModel()
    {
        var prefix = await SeedAsync();

        var (exit, output) = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--summary", "--format", "json"));
        var table = await CliRunner.RunAsync(Args("results", "--prefix", prefix, "--summary"));

        Assert.Equal(ExitCodes.Success, exit);
        var summary = JsonDocument.Parse(output).RootElement;
        Assert.Equal(3, summary.GetProperty("total").GetInt32());
        Assert.Equal(2, summary.GetProperty("status").GetProperty("Succeeded").GetInt32());
        Assert.Equal(1, summary.GetProperty("status").GetProperty("Failed").GetInt32());
        Assert.Equal(1, summary.GetProperty("vehicleType").GetProperty("sports car").GetInt32());
        Assert.Equal(1, summary.GetProperty("errorKind").GetProperty("Corrupt").GetInt32());
        Assert.Equal(3, summary.GetProperty("model").GetProperty("resnet50-v1-12@1.12").GetInt32());
        Assert.Contains("Vehicle type", table.Output, StringComparison.Ordinal);
        Assert.Contains("3 rows: 2 succeeded, 1 failed", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_MistypedPrefix_ListsThePrefixesThatExist()
    {
        var prefix = await SeedAsync();

        var (exit, output) = await CliRunner.RunAsync(Args("results", "--prefix", "opts-typo/"));

        Assert.Equal(ExitCodes.NoResults, exit);
        Assert.Contains("No blobs under 'opts-typo/'", output, StringComparison.Ordinal);
        Assert.Contains("Prefixes that exist: ", output, StringComparison.Ordinal);
        Assert.Contains($"{prefix} (3)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batches_ListsEachPrefixWithImageAndRowCounts()
    {
        var prefix = await SeedAsync();

        var (exit, output) = await CliRunner.RunAsync(Args("batches", "--format", "json"));

        Assert.Equal(ExitCodes.Success, exit);
        var batch = JsonDocument.Parse(output).RootElement.EnumerateArray().Single(b => b.GetProperty("prefix").GetString() == prefix);
        Assert.Equal(3, batch.GetProperty("images").GetInt32());
        Assert.Equal(2, batch.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, batch.GetProperty("failed").GetInt32());
        Assert.Equal(0, batch.GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task Watch_NoHostRunning_SaysNothingConsumesTheQueue()
    {
        // No live heartbeat from an earlier test's host (the collection runs one test at a time).
        var prefix = $"nohost-{Guid.NewGuid():N}/";
        var storage = Storage();
        await StorageBootstrapper.EnsureAsync(storage);
        var hosts = storage.CreateTableClient("carclasshosts");
        await hosts.CreateIfNotExistsAsync();
        await foreach (var entity in hosts.QueryAsync<TableEntity>()) await hosts.DeleteEntityAsync(entity.PartitionKey, entity.RowKey);
        await storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer).GetBlobClient(prefix + "a.jpg").UploadAsync(BinaryData.FromBytes(TestImages.CorruptJpeg()));

        var (exit, output) = await CliRunner.RunAsync(Args("watch", "--prefix", prefix, "--timeout", "2", "--interval", "200"));

        Assert.Equal(ExitCodes.TimedOut, exit);
        Assert.Contains("No classifier is running", output, StringComparison.Ordinal);
        Assert.Contains("carclass host", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_EmptyPrefix_ListsThePrefixesThatExist()
    {
        var prefix = await SeedAsync();

        var (exit, output) = await CliRunner.RunAsync(Args("watch", "--prefix", "opts-nothing-here/", "--timeout", "1", "--interval", "200"));

        Assert.Equal(ExitCodes.TimedOut, exit);
        Assert.Contains("No blobs under 'opts-nothing-here/' yet", output, StringComparison.Ordinal);
        Assert.Contains(prefix, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(200)]
    public async Task Results_FitTheTerminal_OneLinePerRow_KeyColumnsKept(int width)
    {
        var prefix = await SeedAsync();
        var store = new ResultStore(Storage().CreateTableClient(PipelineNames.ResultsTable));
        await store.UpsertAsync(new ClassificationResult
        {
            BlobPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, prefix + "holiday/2026/a-very-long-folder-name/IMG_20260704_123456789.jpg"),
            Status = "Failed",
            ErrorKind = "Undecodable",
            Error = "The file is not an image any decoder understands: JPEG SOI marker missing, PNG signature missing, WebP RIFF header missing. Re-export it as JPEG or PNG.",
            Model = "resnet50-v1-12@1.12",
            ProcessedAt = DateTimeOffset.UtcNow,
        });

        var (exit, output) = await CliRunner.RunAsync(Args("results", "--prefix", prefix), null, width, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, exit);
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} columns: {l}"));
        var header = lines.First(l => l.Contains("Image", StringComparison.Ordinal));
        foreach (var column in new[] { "Image", "Status", "Vehicle", "Label", "Error" }) Assert.Contains(column, header, StringComparison.Ordinal);
        Assert.Equal(width >= 90, header.Contains("Prob.", StringComparison.Ordinal));

        // Four rows, four lines: top border, header, rule, rows, bottom border.
        var tableLines = lines.Count(l => l.StartsWith('│') || l.StartsWith('╭') || l.StartsWith('├') || l.StartsWith('╰'));
        Assert.Equal(4 + 4, tableLines);
        Assert.Contains(lines, l => l.Contains("IMG_20260704_123456789.jpg", StringComparison.Ordinal) || l.Contains("…", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("sports car", StringComparison.Ordinal));
    }
}
