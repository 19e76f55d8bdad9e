// Serverless Car Classifier: the whole system in one resource group.
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam
// Layout: main.bicep -> app/*.bicep (per side) -> core/* (reusable). See docs/DEPLOY.md.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(20)
@description('Short environment name (dev, test, prod...); it seeds the resource token that makes names unique.')
param environmentName string

@description('Region for every resource. Serverless GPUs exist only in some regions: see docs/DEPLOY.md.')
param location string = resourceGroup().location

// ---- Classifier ----

@description('Where the classifier runs: gpu-t4 or gpu-a100 (serverless GPU workload profiles, need GPU quota) or cpu (the Consumption workload profile, 4 vCPU/8 GiB replicas, no quota needed). Build the image to match: docs/DEPLOY.md.')
@allowed(['gpu-t4', 'gpu-a100', 'cpu'])
param classifierCompute string = 'gpu-t4'

@description('Classifier image, e.g. cr123.azurecr.io/car-classifier:1.0.0. Empty deploys a public placeholder until the image is pushed.')
param classifierImage string = ''

@minValue(0)
@description('Classifier replicas kept warm. 0 scales to zero when the queue is empty.')
param classifierMinReplicas int = 0

@minValue(1)
@maxValue(100)
@description('Upper bound on classifier replicas; on a GPU keep it within your serverless GPU quota.')
param classifierMaxReplicas int = 1

@description('Path of the model manifest inside the classifier image (Classifier__ModelManifest).')
param classifierModelManifest string = '/models/resnet50-v1-12/manifest.json'

@description('More Classifier__* (or other) settings for the classifier host, names to values. No secrets.')
param classifierExtraSettings object = {}

// ---- Ingest (Flex Consumption, CPU) ----

@description('.NET version of the Flex Consumption dotnet-isolated runtime.')
param functionsRuntimeVersion string = '10.0'

@allowed([512, 2048, 4096])
param ingestInstanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Flex Consumption scale-out limit; the platform accepts 40 to 1000.')
param ingestMaximumInstanceCount int = 40

// ---- Shared ----

@allowed(['Basic', 'Standard', 'Premium'])
@description('Registry SKU. Premium enables artifact streaming, which shortens GPU cold starts.')
param registrySku string = 'Basic'

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_RAGRS'])
param storageSku string = 'Standard_LRS'

// Optional name overrides; empty means abbreviation + resource token.
@description('Queue between ingest and classifier (Classifier:Transport). ServiceBus adds a namespace, the queue and the classifier worker Container App (app/servicebus.bicep); docs/ARCHITECTURE.md says when to choose it.')
@allowed(['StorageQueue', 'ServiceBus'])
param transport string = 'StorageQueue'

param serviceBusNamespaceName string = ''
param classifierWorkerAppName string = ''
param scalerIdentityName string = ''

param storageAccountName string = ''
param ingestIdentityName string = ''
param classifierIdentityName string = ''
param logAnalyticsName string = ''
param applicationInsightsName string = ''
param registryName string = ''
param ingestAppName string = ''
param ingestPlanName string = ''
param containerAppsEnvironmentName string = ''
param classifierAppName string = ''
param systemTopicName string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'car-classifier'
}

// Names shared with the code: src/CarClassifier.Core/PipelineNames.cs is the source of truth and
// tests/CarClassifier.Infra.Tests fails when these drift from it. They are not parameters: the code
// compiles them into trigger attributes, so a deployment cannot change them. The setting names built on
// PipelineNames (AzureWebJobsStorage__*, Classifier__*, AzureWebJobs.<function>.Disabled) are literals in
// app/ingest.bicep and app/classifier.bicep, checked by the same tests.
var pipeline = {
  imagesContainer: 'images'
  workQueue: 'classify-requests'
  poisonQueue: 'classify-requests-poison'
  resultsTable: 'classifications'
  ingestFunction: 'IngestImage'
}

// Names only the platform uses.
var hostContainerNames = ['azure-webjobs-hosts', 'azure-webjobs-secrets']
var blobTriggerPoisonQueue = 'webjobs-blobtrigger-poison'
var deadLetterContainerName = 'eventgrid-deadletter'

var names = {
  storage: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
  ingestIdentity: !empty(ingestIdentityName)
    ? ingestIdentityName
    : '${abbrs.managedIdentityUserAssignedIdentities}ingest-${resourceToken}'
  classifierIdentity: !empty(classifierIdentityName)
    ? classifierIdentityName
    : '${abbrs.managedIdentityUserAssignedIdentities}classify-${resourceToken}'
  logAnalytics: !empty(logAnalyticsName) ? logAnalyticsName : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  applicationInsights: !empty(applicationInsightsName)
    ? applicationInsightsName
    : '${abbrs.insightsComponents}${resourceToken}'
  registry: !empty(registryName) ? registryName : '${abbrs.containerRegistryRegistries}${resourceToken}'
  ingestApp: !empty(ingestAppName) ? ingestAppName : '${abbrs.webSitesFunctions}ingest-${resourceToken}'
  ingestPlan: !empty(ingestPlanName) ? ingestPlanName : '${abbrs.webServerFarms}ingest-${resourceToken}'
  environment: !empty(containerAppsEnvironmentName)
    ? containerAppsEnvironmentName
    : '${abbrs.appManagedEnvironments}${resourceToken}'
  classifierApp: !empty(classifierAppName) ? classifierAppName : '${abbrs.appContainerApps}classify-${resourceToken}'
  systemTopic: !empty(systemTopicName) ? systemTopicName : '${abbrs.eventGridDomainsTopics}images-${resourceToken}'
  serviceBus: !empty(serviceBusNamespaceName) ? serviceBusNamespaceName : '${abbrs.serviceBusNamespaces}${resourceToken}'
  classifierWorker: !empty(classifierWorkerAppName) ? classifierWorkerAppName : '${abbrs.appContainerApps}worker-${resourceToken}'
  scalerIdentity: !empty(scalerIdentityName)
    ? scalerIdentityName
    : '${abbrs.managedIdentityUserAssignedIdentities}scale-${resourceToken}'
}

// Flex Consumption deploys the ingest package from this container.
var deploymentContainerName = 'app-package-${take(names.ingestApp, 32)}-${take(resourceToken, 7)}'

// One identity per app, so each gets only the storage rights its host uses (infra/storage-use.json).
module ingestIdentity 'core/security/user-assigned-identity.bicep' = {
  name: 'ingest-identity'
  params: {
    name: names.ingestIdentity
    location: location
    tags: tags
  }
}

module classifierIdentity 'core/security/user-assigned-identity.bicep' = {
  name: 'classifier-identity'
  params: {
    name: names.classifierIdentity
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSku
    containers: concat([pipeline.imagesContainer, deploymentContainerName, deadLetterContainerName], hostContainerNames)
    queues: [pipeline.workQueue, pipeline.poisonQueue, blobTriggerPoisonQueue]
    tables: [pipeline.resultsTable]
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module registry 'core/host/container-registry.bicep' = {
  name: 'registry'
  params: {
    name: names.registry
    location: location
    tags: tags
    skuName: registrySku
  }
}

// BlobCreated events for the images container come from this topic. Its webhook subscription is made
// after the ingest code is deployed (infra/scripts/post-deploy.sh), because it needs the blobs_extension key.
module systemTopic 'core/eventgrid/storage-system-topic.bicep' = {
  name: 'system-topic'
  params: {
    name: names.systemTopic
    location: location
    tags: tags
    storageAccountId: storage.outputs.resourceId
  }
}

// Storage grants come from infra/storage-use.json, which names the containers, queues and table above.
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    registryName: registry.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    ingestPrincipalId: ingestIdentity.outputs.principalId
    classifierPrincipalId: classifierIdentity.outputs.principalId
    eventGridPrincipalId: systemTopic.outputs.principalId
    deploymentContainerName: deploymentContainerName
  }
}

module ingest 'app/ingest.bicep' = {
  name: 'ingest'
  dependsOn: [rbac]
  params: {
    name: names.ingestApp
    planName: names.ingestPlan
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.primaryBlobEndpoint
    queueEndpoint: storage.outputs.primaryQueueEndpoint
    tableEndpoint: storage.outputs.primaryTableEndpoint
    deploymentContainerName: deploymentContainerName
    identityId: ingestIdentity.outputs.resourceId
    identityClientId: ingestIdentity.outputs.clientId
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    runtimeVersion: functionsRuntimeVersion
    instanceMemoryMB: ingestInstanceMemoryMB
    maximumInstanceCount: ingestMaximumInstanceCount
    transportSettings: serviceBusIngestSettings
  }
}

module classifier 'app/classifier.bicep' = {
  name: 'classifier'
  // AcrPull and the storage roles must exist before the first replica pulls the image and starts the host.
  dependsOn: [rbac]
  params: {
    appName: names.classifierApp
    environmentName: names.environment
    location: location
    tags: tags
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
    compute: classifierCompute
    image: classifierImage
    registryServer: registry.outputs.loginServer
    storageAccountName: storage.outputs.name
    workQueueName: pipeline.workQueue
    blobEndpoint: storage.outputs.primaryBlobEndpoint
    queueEndpoint: storage.outputs.primaryQueueEndpoint
    tableEndpoint: storage.outputs.primaryTableEndpoint
    identityId: classifierIdentity.outputs.resourceId
    identityClientId: classifierIdentity.outputs.clientId
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    modelManifest: classifierModelManifest
    extraSettings: classifierExtraSettings
    minReplicas: classifierMinReplicas
    maxReplicas: classifierMaxReplicas
    // On Service Bus the worker (below) classifies; the Functions classifier would poll an empty storage queue.
    // Only its Container Apps environment and workload profile are deployed, for the worker to run on.
    deployFunctionsApp: transport == 'StorageQueue'
  }
}

// Service Bus transport: the ingest identity sends; the worker app receives as the classifier identity, on the
// classifier's workload profile and compute (app/servicebus.bicep).
module serviceBus 'app/servicebus.bicep' = if (transport == 'ServiceBus') {
  name: 'servicebus'
  params: {
    namespaceName: names.serviceBus
    location: location
    tags: tags
    queueName: pipeline.workQueue
    senderPrincipalId: ingestIdentity.outputs.principalId
    receiverPrincipalId: classifierIdentity.outputs.principalId
    scalerIdentityName: names.scalerIdentity
    workerAppName: names.classifierWorker
    environmentId: resourceId('Microsoft.App/managedEnvironments', classifier.outputs.environmentName)
    workloadProfileName: classifier.outputs.workloadProfileName
    gpuProfileType: classifierCompute == 'gpu-t4'
      ? 'Consumption-GPU-NC8as-T4'
      : classifierCompute == 'gpu-a100' ? 'Consumption-GPU-NC24-A100' : 'Consumption'
    image: classifierImage
    registryServer: registry.outputs.loginServer
    identityId: classifierIdentity.outputs.resourceId
    identityClientId: classifierIdentity.outputs.clientId
    blobEndpoint: storage.outputs.primaryBlobEndpoint
    queueEndpoint: storage.outputs.primaryQueueEndpoint
    tableEndpoint: storage.outputs.primaryTableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    executionProvider: classifier.outputs.executionProvider
    modelManifest: classifierModelManifest
    // The worker also refuses to run on the CPU of a GPU replica (Classifier:RequireCuda, as the Functions classifier).
    extraSettings: union(classifierExtraSettings, { Classifier__RequireCuda: classifier.outputs.requireCuda })
    minReplicas: classifierMinReplicas
    maxReplicas: classifierMaxReplicas
  }
}

var serviceBusIngestSettings = transport == 'ServiceBus'
  ? {
      Classifier__Transport: 'ServiceBus'
      ServiceBusConnection__fullyQualifiedNamespace: '${names.serviceBus}.servicebus.windows.net'
      ServiceBusConnection__credential: 'managedidentity'
      ServiceBusConnection__clientId: ingestIdentity.outputs.clientId
    }
  : {}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output STORAGE_ACCOUNT_ID string = storage.outputs.resourceId
output STORAGE_BLOB_ENDPOINT string = storage.outputs.primaryBlobEndpoint
output STORAGE_QUEUE_ENDPOINT string = storage.outputs.primaryQueueEndpoint
output STORAGE_TABLE_ENDPOINT string = storage.outputs.primaryTableEndpoint
output IMAGES_CONTAINER string = pipeline.imagesContainer
output WORK_QUEUE string = pipeline.workQueue
output POISON_QUEUE string = pipeline.poisonQueue
output RESULTS_TABLE string = pipeline.resultsTable
output BLOB_TRIGGER_POISON_QUEUE string = blobTriggerPoisonQueue
output DEAD_LETTER_CONTAINER string = deadLetterContainerName
output INGEST_FUNCTION_NAME string = pipeline.ingestFunction
output INGEST_APP_NAME string = ingest.outputs.name
output INGEST_APP_URL string = 'https://${ingest.outputs.defaultHostName}'
// The app that classifies: the Functions classifier on the storage queue, the worker on Service Bus (no ingress, no FQDN).
output CLASSIFIER_APP_NAME string = transport == 'ServiceBus' ? names.classifierWorker : classifier.outputs.appName
output CLASSIFIER_APP_FQDN string = classifier.outputs.fqdn
output CONTAINER_APPS_ENVIRONMENT_NAME string = classifier.outputs.environmentName
output CLASSIFIER_COMPUTE string = classifierCompute
output CLASSIFIER_WORKLOAD_PROFILE string = classifier.outputs.workloadProfileName
output CONTAINER_REGISTRY_NAME string = registry.outputs.name
output CONTAINER_REGISTRY_LOGIN_SERVER string = registry.outputs.loginServer
output INGEST_IDENTITY_CLIENT_ID string = ingestIdentity.outputs.clientId
output CLASSIFIER_IDENTITY_CLIENT_ID string = classifierIdentity.outputs.clientId
output SYSTEM_TOPIC_NAME string = systemTopic.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output TRANSPORT string = transport
output SERVICE_BUS_NAMESPACE string = transport == 'ServiceBus' ? names.serviceBus : ''
// The KEDA scaler type that starts the classifier from zero on this transport (scripts/smoke-azure.sh checks for it).
output CLASSIFIER_SCALE_RULE_TYPE string = transport == 'ServiceBus' ? 'azure-servicebus' : 'azure-queue'
// The rule itself, as the template writes it (infra/scripts/deploy-image.sh re-applies it if an update is refused).
output CLASSIFIER_SCALE_RULE object = transport == 'ServiceBus' ? serviceBus!.outputs.scaleRule : classifier.outputs.scaleRule
