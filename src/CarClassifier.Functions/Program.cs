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
var appInsights = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
var azureMonitor = !string.IsNullOrWhiteSpace(appInsights);
builder.Services.AddPipelineTelemetry(
    builder.Configuration,
    "carclass-functions",
    azureMonitor ? tracing => tracing.AddAzureMonitorTraceExporter(o => o.ConnectionString = appInsights) : null,
    azureMonitor ? metrics => metrics.AddAzureMonitorMetricExporter(o => o.ConnectionString = appInsights) : null);
builder.Build().Run();
