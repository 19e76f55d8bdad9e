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
param maximumInstanceCount int

@description('Transport settings (app/servicebus.bicep on Service Bus: Classifier__Transport, ServiceBusConnection__*); empty for the storage queue.')
param transportSettings object = {}

// Literal names shared with the code (PipelineNames: StorageConnection = AzureWebJobsStorage,
// ClassifyFunction = ClassifyImages); tests/CarClassifier.Infra.Tests checks them. No keys: identity only.
var appSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // This app only ingests; the GPU app classifies.
  'AzureWebJobs.ClassifyImages.Disabled': 'true'
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
