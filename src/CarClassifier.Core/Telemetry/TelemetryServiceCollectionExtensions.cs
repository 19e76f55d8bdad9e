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
    /// Subscribes OpenTelemetry to <see cref="PipelineTelemetry.Name"/>. Exports over OTLP when
    /// <see cref="OtlpEndpointSetting"/> is configured; hosts add their own exporters (console, Azure Monitor)
    /// through <paramref name="configureTracing"/> and <paramref name="configureMetrics"/>.
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
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(PipelineTelemetry.Name);
                if (otlp) tracing.AddOtlpExporter();
                configureTracing?.Invoke(tracing);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PipelineTelemetry.Name);
                if (otlp) metrics.AddOtlpExporter();
                configureMetrics?.Invoke(metrics);
            });
        return services;
    }
}
