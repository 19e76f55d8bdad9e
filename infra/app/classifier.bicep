metadata description = 'Classifier side: Azure Functions on Azure Container Apps (kind functionapp) on a serverless GPU workload profile. It runs ClassifyImages; IngestImage is disabled here.'

param appName string
param environmentName string
param location string
param tags object = {}

param logAnalyticsWorkspaceId string

@allowed(['Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100'])
param gpuProfileType string

@description('Full image reference; empty deploys a public placeholder until the classifier image is pushed.')
param image string
param registryServer string

param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

param identityId string
param identityClientId string

param applicationInsightsConnectionString string

param executionProvider string
param modelManifest string

@description('More settings for the classifier host (names to values), e.g. batch size. No secrets.')
param extraSettings object

param minReplicas int
param maxReplicas int

// Serverless GPU replicas get the whole card and its host share of CPU and memory.
// Sizes from "Use GPUs with Azure Functions on Azure Container Apps" (Microsoft Learn): T4 8 vCPU/56 GiB, A100 24 vCPU/220 GiB.
var gpuSizes = {
  'Consumption-GPU-NC8as-T4': {
    profileName: 'gpu-t4'
    cpu: '8'
    memory: '56Gi'
  }
  'Consumption-GPU-NC24-A100': {
    profileName: 'gpu-a100'
    cpu: '24'
    memory: '220Gi'
  }
}
var gpu = gpuSizes[gpuProfileType]

// A public Functions image that starts without registry access, used until the real image exists.
var placeholderImage = 'mcr.microsoft.com/azure-functions/dotnet8-quickstart-demo:1.0'

// Literal names shared with the code (PipelineNames: StorageConnection = AzureWebJobsStorage,
// IngestFunction = IngestImage, OptionsSection = Classifier); tests/CarClassifier.Infra.Tests checks them.
var hostSettings = {
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // This app only classifies; the Flex app ingests.
  'AzureWebJobs.IngestImage.Disabled': 'true'
  Classifier__ExecutionProvider: executionProvider
  Classifier__ModelManifest: modelManifest
}

module environment '../core/host/container-apps-environment.bicep' = {
  name: 'classifier-environment'
  params: {
    name: environmentName
    location: location
    tags: tags
    gpuProfileName: gpu.profileName
    gpuProfileType: gpuProfileType
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
  }
}

module app '../core/host/functions-container-app.bicep' = {
  name: 'classifier-container-app'
  params: {
    name: appName
    location: location
    tags: union(tags, { 'azd-service-name': 'classifier' })
    environmentId: environment.outputs.resourceId
    workloadProfileName: environment.outputs.gpuProfileName
    image: empty(image) ? placeholderImage : image
    registryServer: registryServer
    identityId: identityId
    cpu: gpu.cpu
    memory: gpu.memory
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    settings: union(extraSettings, hostSettings)
  }
}

output appName string = app.outputs.name
output fqdn string = app.outputs.fqdn
output environmentName string = environment.outputs.name
output gpuProfileName string = environment.outputs.gpuProfileName
