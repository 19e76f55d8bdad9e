metadata description = 'Classifier side: Azure Functions on Azure Container Apps (kind functionapp) on a serverless GPU workload profile (T4 or A100) or on the CPU Consumption profile. It runs ClassifyImages; IngestImage is disabled here.'

param appName string
param environmentName string
param location string
param tags object = {}

param logAnalyticsWorkspaceId string

@description('Where the classifier runs: a serverless GPU (gpu-t4, gpu-a100) or the CPU Consumption profile (cpu). See docs/DEPLOY.md.')
@allowed(['gpu-t4', 'gpu-a100', 'cpu'])
param compute string

@description('Full image reference; empty deploys a public placeholder until the classifier image is pushed.')
param image string
param registryServer string

param storageAccountName string
@description('The storage work queue ClassifyImages reads (PipelineNames.WorkQueue); the scale rule watches it.')
param workQueueName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

param identityId string
param identityClientId string

param applicationInsightsConnectionString string

param modelManifest string

@description('More settings for the classifier host (names to values), e.g. batch size. No secrets.')
param extraSettings object

param minReplicas int
param maxReplicas int

@description('KEDA queueLength: messages per replica before another is added. 32 is host.json extensions.queues.batchSize, the value the platform would derive ("Azure Functions KEDA scaling mappings on Container Apps": metadata.queueLength = extensions.queues.batchSize).')
param messagesPerReplica int = 32

@description('Deploy the Functions classifier app (its ClassifyImages trigger reads the storage work queue). False when transport = ServiceBus: the worker Container App in app/servicebus.bicep classifies instead, on this environment and workload profile, and an app polling an empty storage queue would only idle.')
param deployFunctionsApp bool = true

// Replica sizes. Serverless GPU replicas get the whole card and its host share of CPU and memory ("Use GPUs with Azure
// Functions on Azure Container Apps", learn.microsoft.com: T4 8 vCPU/56 GiB, A100 24 vCPU/220 GiB). The Consumption
// profile's largest replica is 4 vCPU/8 GiB ("Workload profiles in Azure Container Apps"): ResNet-50 on ONNX Runtime
// needs well under 1 GiB, and CPU throughput grows with cores (docs/PERFORMANCE.md), so cpu takes the largest size.
// The GPU profiles require the CUDA provider to load (Classifier:RequireCuda): a silent CPU fallback would bill the GPU.
var computes = {
  'gpu-t4': {
    profileName: 'gpu-t4'
    profileType: 'Consumption-GPU-NC8as-T4'
    cpu: '8'
    memory: '56Gi'
    executionProvider: 'Cuda'
    requireCuda: 'true'
  }
  'gpu-a100': {
    profileName: 'gpu-a100'
    profileType: 'Consumption-GPU-NC24-A100'
    cpu: '24'
    memory: '220Gi'
    executionProvider: 'Cuda'
    requireCuda: 'true'
  }
  cpu: {
    profileName: 'Consumption'
    profileType: 'Consumption'
    cpu: '4'
    memory: '8Gi'
    executionProvider: 'Cpu'
    requireCuda: 'false'
  }
}
var size = computes[compute]
var gpu = compute != 'cpu'

// A public Functions image that starts without registry access, used until the real image exists.
var placeholderImage = 'mcr.microsoft.com/azure-functions/dotnet8-quickstart-demo:1.0'

// Literal names shared with the code (PipelineNames: StorageConnection = AzureWebJobsStorage,
// IngestFunction = IngestImage, OptionsSection = Classifier); tests/CarClassifier.Infra.Tests checks them.
var hostSettings = {
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The platform-generated KEDA azure-queue scale rule authenticates with the identity and needs the account name
  // (QueueScaleRule.accountName: "required if using managed identity to authenticate", Microsoft.App API reference);
  // the service URIs alone leave the rule unconfigured and a min-0 app never starts. The host accepts both forms.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The host's diagnostic-events table (AzureFunctionsDiagnosticEvents<yyyyMM>) needs account-wide Storage Table Data
  // Contributor to create a table each month (azure-functions-host PR #10996), which would include the results table.
  // Off instead: no 403s, no broader grant (docs/DEPLOY.md, "Host settings worth knowing").
  AzureWebJobsFeatureFlags: 'DisableDiagnosticEventLogging'
  // This app only classifies; the Flex app ingests. Disabling alone does not keep IngestImage's blob trigger out of the
  // trigger list the host syncs to the platform (FunctionsSyncManager.GetFunctionTriggers in azure-functions-host filters
  // proxies only, not disabled functions), which maps a blob trigger to an azure-blob rule ("Azure Functions KEDA scaling
  // mappings on Container Apps"): photos stay in 'images', so that rule would keep a GPU replica up for ever. The host's
  // function allow list (host.json "functions", here as its app-setting override) removes the other functions from the
  // metadata the host loads and syncs (FunctionMetadataManager.ApplyAllowList). The explicit scale rule below makes the
  // generated rules moot on this app; the allow list also keeps the blob trigger's listener from starting.
  'AzureWebJobs.IngestImage.Disabled': 'true'
  AzureFunctionsJobHost__functions__0: 'ClassifyImages'
  Classifier__ExecutionProvider: size.executionProvider
  Classifier__RequireCuda: size.requireCuda
  Classifier__ModelManifest: modelManifest
}

// The rule that starts a replica from zero: KEDA's azure-queue scaler on the work queue, authenticated with this app's
// user-assigned identity. With managed identity the scaler needs the account name ("QueueScaleRule.accountName: required
// if using managed identity to authenticate", Microsoft.App API reference; KEDA azure-queue: "accountName ... required
// when pod identity is used"), and reads the queue's approximate message count (Get Queue Metadata), which the identity's
// Storage Queue Data Reader on this queue allows (infra/storage-use.json). Written here rather than generated by the
// platform: see core/host/functions-container-app.bicep and docs/DEPLOY.md, "Scale from zero".
var scaleRule = {
  name: workQueueName
  azureQueue: {
    accountName: storageAccountName
    queueName: workQueueName
    queueLength: messagesPerReplica
    identity: identityId
  }
}

module environment '../core/host/container-apps-environment.bicep' = {
  name: 'classifier-environment'
  params: {
    name: environmentName
    location: location
    tags: tags
    gpuProfileName: gpu ? size.profileName : ''
    gpuProfileType: gpu ? size.profileType : ''
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
  }
}

module app '../core/host/functions-container-app.bicep' = if (deployFunctionsApp) {
  name: 'classifier-container-app'
  params: {
    name: appName
    location: location
    tags: union(tags, { 'azd-service-name': 'classifier' })
    environmentId: environment.outputs.resourceId
    workloadProfileName: size.profileName
    image: empty(image) ? placeholderImage : image
    registryServer: registryServer
    identityId: identityId
    cpu: size.cpu
    memory: size.memory
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    settings: union(extraSettings, hostSettings)
    scaleRules: [scaleRule]
  }
}

output appName string = deployFunctionsApp ? app!.outputs.name : ''
output fqdn string = deployFunctionsApp ? app!.outputs.fqdn : ''
output environmentName string = environment.outputs.name
output workloadProfileName string = size.profileName
output executionProvider string = size.executionProvider
output requireCuda string = size.requireCuda
output scaleRule object = scaleRule
