using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Queues.Models;
using CarClassifier.Core;
using CarClassifier.Core.Classification;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using CarClassifier.Core.Inference;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Results;
using CarClassifier.ModelGeneration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>
/// The failure policy matrix of <see cref="ImageClassifier"/> (issue 15), with real storage clients on Azurite and the real
/// colour model: decoding is a pure function of the bytes, so whatever a decoder throws (but cancellation and
/// out-of-memory) ends in one Failed row; storage and model failures are retried (the call throws) and, on the last
/// delivery, leave a Failed row of kind Poisoned that gives the last error.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class ClassifierPolicyTests(AzuriteFixture azurite)
{
    public static TheoryData<string> DecoderExceptions() => new(Throwing.Names);

    [Theory]
    [MemberData(nameof(DecoderExceptions))]
    public async Task DecoderThrows_AnyRuntimeException_OneDecoderErrorRow_InWords_NoRetry(string exception)
    {
        // Arrange
        await using var setup = await Setup.CreateAsync(azurite, new Throwing(exception));
        var message = await setup.UploadAsync(TestImages.SolidJpeg(TestImages.Colours["red"]), dequeueCount: 1);

        // Act: no exception means the queue completes the message.
        var row = await setup.Classifier.ClassifyAsync(message);

        // Assert
        var stored = Assert.Single(await setup.RowsAsync());
        Assert.Equal((nameof(ClassificationStatus.Failed), nameof(ImageRejectionKind.DecoderError)), (stored.Status, stored.ErrorKind));
        Assert.StartsWith("Jpeg image could not be decoded: ", stored.Error, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExceptionName(), stored.Error);
        Assert.Equal(row.Error, stored.Error);
    }

    [Fact]
    public async Task DecoderRejects_OneRowOfThatKind()
    {
        // Arrange
        await using var setup = await Setup.CreateAsync(azurite, new Throwing("Rejected"));
        var message = await setup.UploadAsync(TestImages.SolidJpeg(TestImages.Colours["red"]), dequeueCount: 1);

        // Act
        await setup.Classifier.ClassifyAsync(message);

        // Assert
        var stored = Assert.Single(await setup.RowsAsync());
        Assert.Equal(("Corrupt", "the test says so"), (stored.ErrorKind, stored.Error));
    }

    [Theory]
    [InlineData("OperationCanceledException")]
    [InlineData("OutOfMemoryException")]
    public async Task DecoderThrows_CancellationOrOutOfMemory_IsRetried_NoRow(string exception)
    {
        // Arrange
        await using var setup = await Setup.CreateAsync(azurite, new Throwing(exception));
        var message = await setup.UploadAsync(TestImages.SolidJpeg(TestImages.Colours["red"]), dequeueCount: 1);

        // Act
        var thrown = await Record.ExceptionAsync(() => setup.Classifier.ClassifyAsync(message));

        // Assert
        Assert.Equal(exception, thrown?.GetType().Name);
        Assert.Empty(await setup.RowsAsync());
    }

    [Fact]
    public async Task BlobDeletedBeforeClassify_OneBlobNotFoundRow()
    {
        // Arrange
        await using var setup = await Setup.CreateAsync(azurite, ImageDecoderFactory.Create("skia"));
        var message = await setup.UploadAsync(TestImages.SolidJpeg(TestImages.Colours["red"]), dequeueCount: 1);
        await setup.Images.DeleteBlobAsync(setup.BlobName);

        // Act
        await setup.Classifier.ClassifyAsync(message);

        // Assert
        Assert.Equal("BlobNotFound", Assert.Single(await setup.RowsAsync()).ErrorKind);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public async Task BlobStorageUnreachable_IsRetried_AndTheLastDeliveryLeavesAPoisonedRow(int dequeueCount, bool last)
    {
        // Arrange: blob reads go to a port nobody listens on; the table is reachable.
        await using var setup = await Setup.CreateAsync(azurite, ImageDecoderFactory.Create("skia"), unreachableBlobs: true);
        var message = await setup.UploadAsync(TestImages.SolidJpeg(TestImages.Colours["red"]), dequeueCount);

        // Act
        var thrown = await Record.ExceptionAsync(() => setup.Classifier.ClassifyAsync(message));

        // Assert: retried every time (the queue moves it to the poison queue after the last); a row only on the last.
        Assert.NotNull(thrown);
        var rows = await setup.RowsAsync();
        if (!last)
        {
            Assert.Empty(rows);
            return;
        }

        var row = Assert.Single(rows);
        Assert.Equal((nameof(ClassificationStatus.Failed), ImageClassifier.PoisonedKind), (row.Status, row.ErrorKind));
        Assert.StartsWith("Gave up after 5 deliveries; the last one failed: ", row.Error, StringComparison.Ordinal);
        Assert.Contains("storage", row.Error, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExceptionName(), row.Error);
        Assert.Equal(5, row.DequeueCount);
    }

    [Fact]
    public async Task ModelFailsToLoad_IsRetried_AndTheLastDeliveryLeavesAPoisonedRow()
    {
        // Arrange
        await using var setup = await Setup.CreateAsync(azurite, ImageDecoderFactory.Create("skia"), manifest: "/no/such/manifest.json");
        var first = await setup.UploadAsync(TestImages.SolidJpeg(TestImages.Colours["red"]), dequeueCount: 1);

        // Act
        var firstThrown = await Record.ExceptionAsync(() => setup.Classifier.ClassifyAsync(first));
        var rowsAfterFirst = await setup.RowsAsync();
        var lastThrown = await Record.ExceptionAsync(() => setup.Classifier.ClassifyAsync(Setup.Redeliver(first, 5)));

        // Assert
        Assert.IsType<FileNotFoundException>(firstThrown);
        Assert.Empty(rowsAfterFirst);
        Assert.IsType<FileNotFoundException>(lastThrown);
        var row = Assert.Single(await setup.RowsAsync());
        Assert.Equal(ImageClassifier.PoisonedKind, row.ErrorKind);
        Assert.Contains("Model manifest not found", row.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LastDeliverySucceeds_TheRowIsTheResult_NotPoisoned()
    {
        // Arrange
        await using var setup = await Setup.CreateAsync(azurite, ImageDecoderFactory.Create("skia"));
        var message = await setup.UploadAsync(TestImages.SolidJpeg(TestImages.Colours["red"]), dequeueCount: 5);

        // Act
        await setup.Classifier.ClassifyAsync(message);

        // Assert
        var row = Assert.Single(await setup.RowsAsync());
        Assert.Equal((nameof(ClassificationStatus.Succeeded), "red", null), (row.Status, row.Label, row.ErrorKind));
    }

    [GeneratedRegex(@"[A-Z][A-Za-z]*Exception\b")]
    private static partial Regex ExceptionName();

    /// <summary>A decoder that throws the named exception: the thing under test is what the classifier does with it.</summary>
    private sealed class Throwing(string exception) : IImageDecoder
    {
        public static readonly string[] Names =
        [
            nameof(DivideByZeroException), nameof(OverflowException), nameof(ArgumentOutOfRangeException), nameof(IndexOutOfRangeException),
            nameof(NullReferenceException), nameof(InvalidOperationException), nameof(InvalidCastException), nameof(KeyNotFoundException),
            nameof(EndOfStreamException), nameof(NotSupportedException), nameof(FormatException), nameof(Exception),
        ];

        public string Name => "throwing";

        public DecodedImageInfo DecodeInto(ReadOnlySpan<byte> encoded, PreprocessRecipe recipe, ImageLimits limits, Span<float> destination) =>
            throw (exception switch
            {
                nameof(DivideByZeroException) => new DivideByZeroException(),
                nameof(OverflowException) => new OverflowException(),
                nameof(ArgumentOutOfRangeException) => new ArgumentOutOfRangeException(nameof(encoded)),
                nameof(IndexOutOfRangeException) => new IndexOutOfRangeException(),
                nameof(NullReferenceException) => new NullReferenceException(),
                nameof(InvalidOperationException) => new InvalidOperationException(),
                nameof(InvalidCastException) => new InvalidCastException(),
                nameof(KeyNotFoundException) => new KeyNotFoundException(),
                nameof(EndOfStreamException) => new EndOfStreamException(),
                nameof(NotSupportedException) => new NotSupportedException(),
                nameof(FormatException) => new FormatException(),
                nameof(OperationCanceledException) => new OperationCanceledException(),
                nameof(OutOfMemoryException) => new OutOfMemoryException(),
                "Rejected" => new ImageRejectedException(ImageRejectionKind.Corrupt, "the test says so"),
                _ => new Exception("plain"),
            });
    }

    /// <summary>A classifier on Azurite with its own blob prefix, the colour model and the given decoder.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly string _cache;
        private readonly ModelRuntime _model;

        private Setup(ImageClassifier classifier, ResultStore results, BlobContainerClient images, ModelRuntime model, string cache)
        {
            Classifier = classifier;
            Results = results;
            Images = images;
            _model = model;
            _cache = cache;
        }

        public ImageClassifier Classifier { get; }

        public ResultStore Results { get; }

        public BlobContainerClient Images { get; }

        public string BlobName { get; } = $"policy-{Guid.NewGuid():N}/image.jpg";

        public static async Task<Setup> CreateAsync(AzuriteFixture azurite, IImageDecoder decoder, bool unreachableBlobs = false, string? manifest = null)
        {
            var storage = new StorageClientFactory(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = azurite.ConnectionString })
                .Build());
            await StorageBootstrapper.EnsureAsync(storage);
            var cache = Directory.CreateTempSubdirectory("carclass-policy-").FullName;
            var options = Options.Create(new ClassifierOptions
            {
                ModelManifest = manifest ?? Path.Combine(RepoPaths.Models, "color-tiny", "manifest.json"),
                ModelCacheDirectory = cache,
                MaxBatchSize = 1,
                MaxDequeueCount = 5,
                AllowModelGeneration = true,
            });
            var model = new ModelRuntime(options, NullLoggerFactory.Instance, OnnxWeightsGenerator.Instance);
            var results = new ResultStore(storage.CreateTableClient(PipelineNames.ResultsTable));
            var blobs = unreachableBlobs
                ? new BlobServiceClient(AzuriteProcess.ConnectionString(1), new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } })
                : storage.CreateBlobServiceClient();
            var classifier = new ImageClassifier(blobs, decoder, model, results, options, TimeProvider.System, NullLogger<ImageClassifier>.Instance);
            return new Setup(classifier, results, storage.CreateBlobServiceClient().GetBlobContainerClient(PipelineNames.ImagesContainer), model, cache);
        }

        public static QueueMessage Redeliver(QueueMessage message, long dequeueCount) =>
            QueuesModelFactory.QueueMessage(message.MessageId, message.PopReceipt, message.Body, dequeueCount, message.NextVisibleOn, message.InsertedOn, message.ExpiresOn);

        public async Task<QueueMessage> UploadAsync(byte[] bytes, long dequeueCount)
        {
            var uploaded = await Images.GetBlobClient(BlobName).UploadAsync(BinaryData.FromBytes(bytes));
            var request = new ClassifyRequest
            {
                Container = PipelineNames.ImagesContainer,
                BlobName = BlobName,
                ETag = uploaded.Value.ETag.ToString(),
                SizeBytes = bytes.Length,
                EnqueuedAt = DateTimeOffset.UtcNow,
                CorrelationId = Guid.NewGuid().ToString("N"),
            };
            return QueuesModelFactory.QueueMessage(
                Guid.NewGuid().ToString(), "receipt", BinaryData.FromString(request.ToJson()), dequeueCount, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(7));
        }

        public async Task<List<ClassificationResult>> RowsAsync()
        {
            var rows = new List<ClassificationResult>();
            await foreach (var row in Results.ListAsync(ResultKeys.BlobPath(PipelineNames.ImagesContainer, BlobName)))
            {
                rows.Add(row);
            }

            return rows;
        }

        public async ValueTask DisposeAsync()
        {
            await _model.DisposeAsync();
            try
            {
                Directory.Delete(_cache, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }
}
