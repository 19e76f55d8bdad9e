using Azure.Storage.Blobs.Specialized;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Results;
using CarClassifier.Core.Storage;
using Microsoft.Extensions.Configuration;

namespace CarClassifier.EndToEnd.Tests.OverwriteRace;

/// <summary>
/// <see cref="ResultStore.WriteIfCurrentAsync"/> against the real table and blobs, one interleaving at a time: the
/// orderings <see cref="OverwriteRaceTests"/> produces at random, forced here so each branch of the protocol is seen.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConditionalRowWriteTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task OlderVersionFinishingLast_IsSuperseded_AndTheNewerRowStays()
    {
        var (store, blob, path) = await SetupAsync();
        var red = (await blob.UploadAsync(Png("red"))).Value.ETag.ToString();
        var green = (await blob.UploadAsync(Png("green"), overwrite: true)).Value.ETag.ToString();
        var current = Current(blob);

        Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(Row(path, green, "green"), current));
        Assert.Equal(RowWrite.Superseded, await store.WriteIfCurrentAsync(Row(path, red, "red"), current));

        var row = await store.GetAsync(path);
        Assert.Equal(("green", green), (row!.Label, row.BlobETag));
    }

    [Fact]
    public async Task OlderVersionFinishingFirst_IsReplacedByTheNewer()
    {
        var (store, blob, path) = await SetupAsync();
        var red = (await blob.UploadAsync(Png("red"))).Value.ETag.ToString();
        Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(Row(path, red, "red"), Current(blob)));
        var green = (await blob.UploadAsync(Png("green"), overwrite: true)).Value.ETag.ToString();

        Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(Row(path, green, "green"), Current(blob)));
        Assert.Equal("green", (await store.GetAsync(path))!.Label);
    }

    [Fact]
    public async Task AnotherWriterBetweenTheReadAndTheReplace_ForcesTheDecisionAgain()
    {
        var (store, blob, path) = await SetupAsync();
        var red = (await blob.UploadAsync(Png("red"))).Value.ETag.ToString();
        await store.UpsertAsync(Row(path, "\"0xOLDER\"", "blue"));

        // The red writer reads the row (an older version's), checks the blob (red is current), and before its replace
        // the blob is overwritten green and the green writer writes: the replace must fail and the red row be dropped.
        string? green = null;
        var checks = 0;
        async Task<string?> CurrentThenOverwrite(CancellationToken ct)
        {
            var now = await Current(blob)(ct);
            if (checks++ == 0)
            {
                green = (await blob.UploadAsync(Png("green"), overwrite: true, ct)).Value.ETag.ToString();
                Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(Row(path, green, "green"), Current(blob), cancellationToken: ct));
            }

            return now;
        }

        Assert.Equal(RowWrite.Superseded, await store.WriteIfCurrentAsync(Row(path, red, "red"), CurrentThenOverwrite));
        Assert.Equal(2, checks);
        var row = await store.GetAsync(path);
        Assert.Equal(("green", green), (row!.Label, row.BlobETag));
    }

    [Fact]
    public async Task SameVersion_IsReplaced_WithoutAskingTheBlob_AndKeepExistingIsHonoured()
    {
        var (store, blob, path) = await SetupAsync();
        var red = (await blob.UploadAsync(Png("red"))).Value.ETag.ToString();
        Task<string?> NeverAsked(CancellationToken ct) => throw new InvalidOperationException("the blob was asked for a same-version replace");

        Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(Row(path, red, "red"), NeverAsked));
        var redelivered = Row(path, red, "red");
        redelivered.CorrelationId = "redelivered";
        Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(redelivered, NeverAsked));
        Assert.Equal("redelivered", (await store.GetAsync(path))!.CorrelationId);

        Assert.Equal(RowWrite.KeptExisting, await store.WriteIfCurrentAsync(Row(path, red, null), NeverAsked, existing => existing.Label is not null));
        Assert.Equal("red", (await store.GetAsync(path))!.Label);
    }

    [Fact]
    public async Task DeletedBlob_BlobNotFoundRow_ReplacesOnlyWhileTheBlobIsGone()
    {
        var (store, blob, path) = await SetupAsync();
        var red = (await blob.UploadAsync(Png("red"))).Value.ETag.ToString();
        Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(Row(path, red, "red"), Current(blob)));
        await blob.DeleteAsync();

        var notFound = Row(path, null, null);
        notFound.ErrorKind = "BlobNotFound";
        Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(notFound, Current(blob)));
        var green = (await blob.UploadAsync(Png("green"))).Value.ETag.ToString();
        Assert.Equal(RowWrite.Written, await store.WriteIfCurrentAsync(Row(path, green, "green"), Current(blob)));

        // A late BlobNotFound (from before the re-upload) must not replace the new version's row.
        Assert.Equal(RowWrite.Superseded, await store.WriteIfCurrentAsync(notFound, Current(blob)));
        Assert.Equal("green", (await store.GetAsync(path))!.Label);
    }

    private static Func<CancellationToken, Task<string?>> Current(Azure.Storage.Blobs.BlobClient blob) =>
        CurrentBlobVersion.Of(blob.GetParentBlobContainerClient().GetParentBlobServiceClient(), PipelineNames.ImagesContainer, blob.Name, null);

    private async Task<(ResultStore Store, Azure.Storage.Blobs.BlobClient Blob, string Path)> SetupAsync()
    {
        var storage = new StorageClientFactory(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString }).Build());
        await StorageBootstrapper.EnsureAsync(storage);
        var name = $"conditional-{Guid.NewGuid():N}/a.png";
        var blob = storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer).GetBlobClient(name);
        return (new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable)), blob, ResultKeys.BlobPath(PipelineNames.ImagesContainer, name));
    }

    private static BinaryData Png(string colour) => BinaryData.FromBytes(TestImages.SolidPng(TestImages.Colours[colour], 16, 16));

    private static ClassificationResult Row(string path, string? etag, string? label) => new()
    {
        BlobPath = path,
        BlobETag = etag,
        Label = label,
        Status = label is null ? nameof(ClassificationStatus.Failed) : nameof(ClassificationStatus.Succeeded),
        ProcessedAt = DateTimeOffset.UtcNow,
    };
}
