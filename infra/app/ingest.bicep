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

@description('Storage connection prefix shared with the code (PipelineNames.StorageConnection).')
param storageConnection string

@description('Function disabled on this host (PipelineNames.ClassifyFunction).')
param disabledFunctionName string

param runtimeVersion string
param instanceMemoryMB int
param maximumInstanceCount int

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
    appSettings: {
      '${storageConnection}__credential': 'managedidentity'
      '${storageConnection}__clientId': identityClientId
      '${storageConnection}__blobServiceUri': blobEndpoint
      '${storageConnection}__queueServiceUri': queueEndpoint
      '${storageConnection}__tableServiceUri': tableEndpoint
      AZURE_CLIENT_ID: identityClientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      'AzureWebJobs.${disabledFunctionName}.Disabled': 'true'
    }
  }
}

output name string = functionApp.outputs.name
output planName string = functionApp.outputs.planName
output defaultHostName string = functionApp.outputs.defaultHostName
