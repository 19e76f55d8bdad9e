metadata description = 'Ingest side: the Functions app on Flex Consumption (CPU only). It runs IngestImage; ClassifyImages is disabled here.'

param name string
param planName string
param location string
param tags object = {}

param storageAccountName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param deploymentContainerName string

param identityId string
param identityClientId string

param applicationInsightsConnectionString string

param runtimeVersion string
param instanceMemoryMB int

// Flex Consumption: "the lowest maximum instance count value is 40, and the highest ... is 1000" ("Event-driven scaling in
// Azure Functions", https://learn.microsoft.com/azure/azure-functions/event-driven-scaling#limit-scale-out). A later
// revision of that page says 1; 40 is valid under both, and the template refuses less.
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Transport settings (app/servicebus.bicep on Service Bus: Classifier__Transport, ServiceBusConnection__*); empty for the storage queue.')
param transportSettings object = {}

// Literal names shared with the code (PipelineNames: StorageConnection = AzureWebJobsStorage,
// ClassifyFunction = ClassifyImages); tests/CarClassifier.Infra.Tests checks them. No keys: identity only.
var appSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // No diagnostic-events table: writing it needs account-wide table rights (see app/classifier.bicep).
  AzureWebJobsFeatureFlags: 'DisableDiagnosticEventLogging'
  // FunctionsNetHost exits with SIGSEGV (139) on .NET 10 on Flex Consumption when started from a placeholder; the
  // reported workaround is to skip the placeholder (azure-functions-dotnet-worker#3335, open when this was written).
  // Costs some cold-start time; remove it once that issue is fixed (docs/DEPLOY.md, "Known platform issues").
  WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED: '0'
  // This app only ingests; the classifier app classifies. Disabled is the documented switch ("Disable functions"), but
  // the host still lists a disabled function's trigger in the sync-triggers payload the platform scales on
  // (FunctionsSyncManager.GetFunctionTriggers filters proxies only), so Flex could add instances for messages in
  // classify-requests that this app never takes. The function allow list (host.json "functions", as its app-setting
  // override) leaves ClassifyImages out of the metadata the host loads and syncs (FunctionMetadataManager.ApplyAllowList).
  'AzureWebJobs.ClassifyImages.Disabled': 'true'
  AzureFunctionsJobHost__functions__0: 'IngestImage'
  AzureFunctionsJobHost__functions__1: 'GetResult'
  AzureFunctionsJobHost__functions__2: 'ListResults'
}

module functionApp '../core/host/flex-function-app.bicep' = {
  name: 'ingest-function-app'
  params: {
    name: name
    planName: planName
    location: location
    tags: union(tags, { 'azd-service-name': 'ingest' })
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    identityId: identityId
    runtimeVersion: runtimeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    appSettings: union(appSettings, transportSettings)
  }
}

output name string = functionApp.outputs.name
output planName string = functionApp.outputs.planName
output defaultHostName string = functionApp.outputs.defaultHostName
