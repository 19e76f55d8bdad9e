using Azure.Monitor.OpenTelemetry.Exporter;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Results;
using CarClassifier.Core.Telemetry;
using CarClassifier.Core.Vehicles;
using CarClassifier.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
// The CPU ingest app disables ClassifyImages (AzureWebJobs.ClassifyImages.Disabled) and so never loads the model.
builder.Services.AddCarClassifier(builder.Configuration, loadModelAtStart: !FunctionSettings.IsDisabled(builder.Configuration, PipelineNames.ClassifyFunction));

// Results API: the same query and vehicle view as the CLI, with the models/ folder shipped beside the app.
builder.Services.AddSingleton(sp => new ResultQuery(sp.GetRequiredService<ResultStore>(), VehicleTypeCatalog.FromDefaultLocations()));

// Telemetry: OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; Application Insights when its connection string is.
// Application Insights has local auth disabled (infra/core/monitor), so both exporters also get the managed identity that
// APPLICATIONINSIGHTS_AUTHENTICATION_STRING names: the host applies that setting to its own telemetry only, not the worker's.
var appInsights = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
var azureMonitor = !string.IsNullOrWhiteSpace(appInsights);
var appInsightsCredential = AzureMonitorAuthentication.CredentialFrom(builder.Configuration[AzureMonitorAuthentication.Setting]);
builder.Services.AddPipelineTelemetry(
    builder.Configuration,
    "carclass-functions",
    azureMonitor ? tracing => tracing.AddAzureMonitorTraceExporter(o => AzureMonitor(o)) : null,
    azureMonitor ? metrics => metrics.AddAzureMonitorMetricExporter(o => AzureMonitor(o)) : null);
builder.Build().Run();

void AzureMonitor(AzureMonitorExporterOptions options)
{
    options.ConnectionString = appInsights;
    options.Credential = appInsightsCredential;
}
