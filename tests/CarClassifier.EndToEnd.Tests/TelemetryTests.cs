using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CarClassifier.Core;
using CarClassifier.Core.Results;
using CarClassifier.Core.Telemetry;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>One trace per image from ingest to classify, and the pipeline's metrics, on the real local host.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TelemetryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Pipeline_IngestAndClassify_ShareOneTrace_AndRecordMetrics()
    {
        var activities = new ConcurrentBag<Activity>();
        var measurements = new ConcurrentDictionary<string, double>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PipelineTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineTelemetry.Name) l.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<long>((i, v, _, _) => measurements.AddOrUpdate(i.Name, v, (_, old) => old + v));
        meters.SetMeasurementEventCallback<int>((i, v, _, _) => measurements.AddOrUpdate(i.Name, v, (_, old) => old + v));
        meters.SetMeasurementEventCallback<double>((i, v, _, _) => measurements.AddOrUpdate(i.Name, 1, (_, old) => old + 1));
        meters.Start();

        await using var pipeline = await PipelineHost.CreateAsync(azurite);
        var prefix = $"telemetry-{Guid.NewGuid():N}/";
        await pipeline.Images.GetBlobClient($"{prefix}red.png").UploadAsync(BinaryData.FromBytes(TestImages.SolidPng(TestImages.Colours["red"])));
        await pipeline.Images.GetBlobClient($"{prefix}bad.jpg").UploadAsync(BinaryData.FromBytes(TestImages.CorruptJpeg()));
        await pipeline.StartAsync();
        var good = ResultKeys.BlobPath(PipelineNames.ImagesContainer, $"{prefix}red.png");
        var bad = ResultKeys.BlobPath(PipelineNames.ImagesContainer, $"{prefix}bad.jpg");
        var rows = await pipeline.WaitForRowsAsync([good, bad], TimeSpan.FromSeconds(90));

        // The classify activity stops just after the row is written.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (activities.Count(a => a.OperationName == PipelineTelemetry.ClassifyActivity && Path(a)?.StartsWith($"images/{prefix}", StringComparison.Ordinal) == true) < 2
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        foreach (var path in new[] { good, bad })
        {
            var ingest = Assert.Single(activities, a => a.OperationName == PipelineTelemetry.IngestActivity && Path(a) == path);
            var classify = Assert.Single(activities, a => a.OperationName == PipelineTelemetry.ClassifyActivity && Path(a) == path);
            Assert.Equal(ingest.TraceId, classify.TraceId);
            Assert.Equal(ingest.SpanId, classify.ParentSpanId);
            Assert.Equal(rows[path].CorrelationId, classify.GetTagItem(PipelineTelemetry.CorrelationIdTag));
            Assert.Equal(rows[path].CorrelationId, ingest.GetTagItem(PipelineTelemetry.CorrelationIdTag));
        }

        Assert.Equal(ActivityStatusCode.Error, activities.Single(a => a.OperationName == PipelineTelemetry.ClassifyActivity && Path(a) == bad).Status);
        meters.RecordObservableInstruments();
        Assert.True(measurements.GetValueOrDefault("images.classified") >= 1, "images.classified");
        Assert.True(measurements.GetValueOrDefault("images.failed") >= 1, "images.failed");
        Assert.True(measurements.GetValueOrDefault("batch.size") >= 1, "batch.size");
        foreach (var histogram in new[] { "queue.wait", "decode.duration", "inference.duration" })
        {
            Assert.True(measurements.GetValueOrDefault(histogram) >= 1, histogram);
        }
    }

    private static string? Path(Activity activity) => activity.GetTagItem(PipelineTelemetry.BlobPathTag) as string;
}
