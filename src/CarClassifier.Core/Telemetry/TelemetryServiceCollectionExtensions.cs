using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CarClassifier.Core.Telemetry;

/// <summary>OpenTelemetry for the pipeline's source and meter, shared by the Functions app and the CLI's local host.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The standard OpenTelemetry setting: when set, traces and metrics go to this OTLP endpoint.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Fraction of images whose trace is recorded and exported (0 to 1). Set it to 1 for one trace per image.
    /// The decision is made once, at ingest, and travels in the message's traceparent, so an image's ingest and
    /// classify spans are kept or dropped together.
    /// </summary>
    public const string TraceSampleRatioSetting = "Telemetry:TraceSampleRatio";

    /// <summary>
    /// 10 %: enough traces to see where time goes at any real rate, without paying for a recorded trace, its tags
    /// and its export on every image (docs/PERFORMANCE.md). Metrics are not sampled.
    /// </summary>
    public const double DefaultTraceSampleRatio = 0.1;

    /// <summary>
    /// Subscribes OpenTelemetry to <see cref="PipelineTelemetry.Name"/> when something exports it: OTLP when
    /// <see cref="OtlpEndpointSetting"/> is configured, or the exporters hosts add (console, Azure Monitor) through
    /// <paramref name="configureTracing"/> and <paramref name="configureMetrics"/>. With no exporter nothing is
    /// subscribed, so the pipeline's activities and instruments cost nothing. Traces are sampled by
    /// <see cref="TraceSampleRatioSetting"/>.
    /// </summary>
    public static IServiceCollection AddPipelineTelemetry(
        this IServiceCollection services,
        IConfiguration configuration,
        string serviceName,
        Action<TracerProviderBuilder>? configureTracing = null,
        Action<MeterProviderBuilder>? configureMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        if (!otlp && configureTracing is null && configureMetrics is null) return services;

        var ratio = TraceSampleRatio(configuration);
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(serviceName));
        if (otlp || configureTracing is not null)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(PipelineTelemetry.Name).SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)));
                if (otlp) tracing.AddOtlpExporter();
                configureTracing?.Invoke(tracing);
            });
        }

        if (otlp || configureMetrics is not null)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(PipelineTelemetry.Name);
                if (otlp) metrics.AddOtlpExporter();
                configureMetrics?.Invoke(metrics);
            });
        }

        return services;
    }

    /// <summary><see cref="TraceSampleRatioSetting"/>, validated: a number from 0 to 1.</summary>
    public static double TraceSampleRatio(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[TraceSampleRatioSetting];
        if (string.IsNullOrWhiteSpace(text)) return DefaultTraceSampleRatio;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) || ratio is < 0 or > 1 || double.IsNaN(ratio))
        {
            throw new InvalidOperationException($"{TraceSampleRatioSetting} must be a number from 0 to 1 (1 = one trace per image), not '{text}'.");
        }

        return ratio;
    }
}
