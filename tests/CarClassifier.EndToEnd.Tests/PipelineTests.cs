using CarClassifier.Core;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The whole trigger path on the real local host: blob upload → blob trigger → ingest → queue →
/// queue trigger → batcher → ONNX Runtime (colour model) → results table.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PipelineTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan RowTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task UploadedImages_OfKnownColour_GetExactRows_AndACorruptNeighbourFailsAlone()
    {
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var prefix = $"colours-{Guid.NewGuid():N}/";
        var expected = new Dictionary<string, string>();
        foreach (var (name, colour) in TestImages.Colours)
        {
            var blobName = $"{prefix}{name}.png";
            await pipeline.Images.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(colour)));
            expected[ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName)] = name;
        }

        var corruptName = $"{prefix}corrupt.jpg";
        await pipeline.Images.GetBlobClient(corruptName).UploadAsync(BinaryData.FromBytes(TestImages.CorruptJpeg()));
        var corruptPath = ResultKeys.BlobPath(PipelineNames.ImagesContainer, corruptName);
        await pipeline.StartAsync();

        var rows = await pipeline.WaitForRowsAsync(expected.Keys.Append(corruptPath), RowTimeout);

        foreach (var (path, colour) in expected)
        {
            var row = rows[path];
            Assert.Equal(nameof(ClassificationStatus.Succeeded), row.Status);
            Assert.Equal(colour, row.Label);
            Assert.True(row.Probability > 0.9, $"{path}: probability {row.Probability}");
            Assert.Null(row.Error);
            Assert.StartsWith("color-tiny@", row.Model, StringComparison.Ordinal);
            Assert.Contains($"\"label\":\"{colour}\"", row.TopK, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(row.BlobETag));
            Assert.False(string.IsNullOrEmpty(row.CorrelationId));
            Assert.InRange(row.BatchSize, 1, 8);
        }

        var failed = rows[corruptPath];
        Assert.Equal(nameof(ClassificationStatus.Failed), failed.Status);
        Assert.Equal("Corrupt", failed.ErrorKind);
        Assert.False(string.IsNullOrWhiteSpace(failed.Error));
        Assert.Null(failed.Label);

        // The colour images were classified together: at least one batch held more than one image.
        Assert.Contains(rows.Values, r => r.BatchSize > 1);
    }

    [Fact]
    public async Task RedeliveredMessage_OverwritesItsRow_NeverDuplicates()
    {
        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var blobName = $"redelivery-{Guid.NewGuid():N}/green.jpg";
        var path = ResultKeys.BlobPath(PipelineNames.ImagesContainer, blobName);
        var upload = await pipeline.Images.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(TestImages.SolidJpeg(TestImages.Colours["green"])));
        await pipeline.StartAsync();
        var first = (await pipeline.WaitForRowsAsync([path], RowTimeout))[path];

        // The same claim check delivered again, as a queue would after a lost lease.
        await pipeline.Queue.SendAsync(new ClassifyRequest
        {
            Container = PipelineNames.ImagesContainer,
            BlobName = blobName,
            ETag = upload.Value.ETag.ToString(),
            SizeBytes = first.BlobSizeBytes,
            EnqueuedAt = DateTimeOffset.UtcNow,
            CorrelationId = "redelivered",
        });
        var second = (await pipeline.WaitForRowsAsync([path], RowTimeout, r => r.CorrelationId == "redelivered"))[path];

        var all = new List<ClassificationResult>();
        await foreach (var row in pipeline.Results.ListAsync(path)) all.Add(row);
        var single = Assert.Single(all);
        Assert.Equal("green", single.Label);
        Assert.Equal("green", second.Label);
        Assert.True(second.ProcessedAt >= first.ProcessedAt);
    }
}
