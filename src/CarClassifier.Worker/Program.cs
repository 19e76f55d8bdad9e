using Azure.Monitor.OpenTelemetry.Exporter;
using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging.ServiceBus;
using CarClassifier.Core.Telemetry;
using CarClassifier.ModelGeneration;
using Microsoft.Extensions.Hosting;

// The Service Bus classifier (Classifier:Transport=ServiceBus): the same Core services as the Functions app and the
// local host, plus the batch consumer and the dead-letter recorder.
var builder = Host.CreateApplicationBuilder(args);
if (ServiceBusServiceCollectionExtensions.ReadTransport(builder.Configuration) != MessageTransport.ServiceBus)
{
    Console.Error.WriteLine("carclass-worker runs the Service Bus classifier only: set Classifier__Transport=ServiceBus and ServiceBusConnection__fullyQualifiedNamespace.");
    return 2;
}

builder.Services.AddCarClassifier(builder.Configuration);
builder.Services.AddServiceBusClassifier();
builder.Services.AddModelGeneration(); // Used only with Classifier__AllowModelGeneration=true (local runs, tests); images bake weights in.

// Application Insights has local auth disabled (infra/core/monitor): the exporters authenticate with the managed identity
// APPLICATIONINSIGHTS_AUTHENTICATION_STRING names (infra/app/servicebus.bicep sets it), as the Functions app's do.
var appInsights = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
var azureMonitor = !string.IsNullOrWhiteSpace(appInsights);
var appInsightsCredential = AzureMonitorAuthentication.CredentialFrom(builder.Configuration[AzureMonitorAuthentication.Setting]);
builder.Services.AddPipelineTelemetry(
    builder.Configuration,
    "carclass-worker",
    azureMonitor ? tracing => tracing.AddAzureMonitorTraceExporter(AzureMonitor) : null,
    azureMonitor ? metrics => metrics.AddAzureMonitorMetricExporter(AzureMonitor) : null);

await builder.Build().RunAsync().ConfigureAwait(false);
return 0;

void AzureMonitor(AzureMonitorExporterOptions options)
{
    options.ConnectionString = appInsights;
    options.Credential = appInsightsCredential;
}
