using System.Diagnostics;
using CarClassifier.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace CarClassifier.Core.Tests.Telemetry;

/// <summary>
/// What the pipeline's telemetry costs and keeps: nothing is subscribed when nothing exports (so an image's
/// activities are never created), traces are sampled by Telemetry:TraceSampleRatio, and 1 keeps one per image.
/// </summary>
public sealed class TelemetryServiceCollectionExtensionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void AddPipelineTelemetry_NoExporter_SubscribesNothing()
    {
        // Arrange
        using var provider = new ServiceCollection().AddPipelineTelemetry(Config(), "test").BuildServiceProvider();

        // Act
        var tracer = provider.GetService<TracerProvider>();

        // Assert
        Assert.Null(tracer);
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("0", 0.0)]
    [InlineData("0.25", 0.25)]
    public void TraceSampleRatio_ValidSetting_IsUsed(string setting, double expected)
    {
        Assert.Equal(expected, TelemetryServiceCollectionExtensions.TraceSampleRatio(Config((TelemetryServiceCollectionExtensions.TraceSampleRatioSetting, setting))));
    }

    [Fact]
    public void TraceSampleRatio_Unset_IsTheDefault()
    {
        Assert.Equal(TelemetryServiceCollectionExtensions.DefaultTraceSampleRatio, TelemetryServiceCollectionExtensions.TraceSampleRatio(Config()));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("ten percent")]
    [InlineData("NaN")]
    public void TraceSampleRatio_OutOfRange_ThrowsNamingTheSetting(string setting)
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            TelemetryServiceCollectionExtensions.TraceSampleRatio(Config((TelemetryServiceCollectionExtensions.TraceSampleRatioSetting, setting))));
        Assert.Contains(TelemetryServiceCollectionExtensions.TraceSampleRatioSetting, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 200)]
    [InlineData("0", 0)]
    public void AddPipelineTelemetry_WithAnExporter_RecordsTheSampledShareOfTraces(string ratio, int expected)
    {
        // Arrange: a collecting processor stands in for the OTLP / Azure Monitor exporter.
        var run = Guid.NewGuid().ToString("N");
        var collector = new Collector();
        using var provider = new ServiceCollection()
            .AddPipelineTelemetry(Config((TelemetryServiceCollectionExtensions.TraceSampleRatioSetting, ratio)), "test", tracing => tracing.AddProcessor(collector))
            .BuildServiceProvider();
        _ = provider.GetRequiredService<TracerProvider>();

        // Act: 200 images' ingest spans, each a new trace (tagged, so other tests' spans are not counted).
        for (var i = 0; i < 200; i++)
        {
            using var activity = PipelineTelemetry.Source.StartActivity(PipelineTelemetry.IngestActivity);
            activity?.SetTag("test.run", run);
        }

        // Assert
        Assert.Equal(expected, collector.Ended.Count(a => (string?)a.GetTagItem("test.run") == run));
    }

    private sealed class Collector : OpenTelemetry.BaseProcessor<Activity>
    {
        public System.Collections.Concurrent.ConcurrentBag<Activity> Ended { get; } = [];

        public override void OnEnd(Activity data) => Ended.Add(data);
    }
}
