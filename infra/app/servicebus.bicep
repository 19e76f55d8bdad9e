metadata description = 'Service Bus transport (transport = ServiceBus): the namespace and work queue, the roles ingest and classifier need, the scaler identity KEDA reads the queue with, and the classifier worker Container App that KEDA scales on the queue.'

param namespaceName string
param location string
param tags object = {}

@description('Work queue name: PipelineNames.WorkQueue (the same name as the storage work queue).')
param queueName string

@description('Peek-lock duration. The worker renews locks every Classifier__ServiceBus__LockRenewalSeconds (20 s), well inside it.')
param lockDuration string = 'PT1M'

@description('Deliveries before Service Bus dead-letters a message; the worker reads the same number (Classifier__ServiceBus__MaxDeliveryCount).')
@minValue(1)
@maxValue(2000)
param maxDeliveryCount int = 10

@description('Duplicate detection window: a second claim check for the same blob version (same MessageId) inside it is dropped.')
param duplicateDetectionWindow string = 'PT10M'

@description('Principal that sends claim checks (the ingest app identity): Azure Service Bus Data Sender on the queue.')
param senderPrincipalId string

@description('Principal that receives, settles and peeks dead letters (the classifier worker identity): Azure Service Bus Data Receiver on the queue.')
param receiverPrincipalId string

@description('Name of the user-assigned identity the KEDA scale rule authenticates with (and nothing else: lifecycle None).')
param scalerIdentityName string

param workerAppName string
param environmentId string
param workloadProfileName string

@description('The classifier\'s workload profile type: a serverless GPU profile, or Consumption for classifierCompute = cpu.')
@allowed(['Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100', 'Consumption'])
param gpuProfileType string

@description('The classifier image; the worker runs its second entry point (dotnet /app/worker/CarClassifier.Worker.dll). Empty deploys a public placeholder until the image is pushed.')
param image string
param registryServer string
param identityId string
param identityClientId string

param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param applicationInsightsConnectionString string

param executionProvider string
param modelManifest string

@description('More worker settings (names to values), e.g. Classifier__MaxBatchSize. No secrets.')
param extraSettings object = {}

param minReplicas int = 0
param maxReplicas int = 1

@description('KEDA target: active messages per replica before another replica is added.')
param messagesPerReplica int = 256

// Built-in role definitions (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/integration).
var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var serviceBusDataReceiver = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
var serviceBusDataOwner = '090c5cfd-751d-490a-894a-3ce6f1109419'

// The same public placeholder as app/classifier.bicep, started with its own entry point.
var placeholderImage = 'mcr.microsoft.com/azure-functions/dotnet8-quickstart-demo:1.0'

// Same sizes as app/classifier.bicep: a serverless GPU replica gets the whole card and its host share.
var gpuSizes = {
  'Consumption-GPU-NC8as-T4': { cpu: '8', memory: '56Gi' }
  'Consumption-GPU-NC24-A100': { cpu: '24', memory: '220Gi' }
  // classifierCompute = cpu: the Consumption profile's largest replica ("Workload profiles in Azure Container Apps").
  Consumption: { cpu: '4', memory: '8Gi' }
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  // Standard: the lowest tier with duplicate detection (Basic has none).
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    lockDuration: lockDuration
    maxDeliveryCount: maxDeliveryCount
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
    requiresSession: false
    enablePartitioning: false
  }
}

resource senderRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: queue
  name: guid(queue.id, senderPrincipalId, serviceBusDataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
    principalId: senderPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource receiverRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: queue
  name: guid(queue.id, receiverPrincipalId, serviceBusDataReceiver)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiver)
    principalId: receiverPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// KEDA's azure-servicebus scaler reads the queue's active message count through the management API
// (GetQueueRuntimeProperties), which needs the Manage right: "SAS Policy needs to be of type 'Manage'" (KEDA scaler docs,
// kedacore/keda-docs#183 after kedacore/keda#806; microsoft/azure-container-apps#1138 saw Listen fail and Manage work).
// With Entra ID the role that carries Manage is Azure Service Bus Data Owner. The worker's own identity keeps Receiver
// only: a separate identity holds Owner, scoped to this one queue, and the app makes it available to the scale rule and
// to no container ("lifecycle: None ... only used for ACR image pull or scale rules", Managed identities in Azure
// Container Apps, "Control managed identity availability").
resource scalerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: scalerIdentityName
  location: location
  tags: tags
}

resource scalerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: queue
  name: guid(queue.id, scalerIdentity.id, serviceBusDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataOwner)
    principalId: scalerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

var fullyQualifiedNamespace = '${namespace.name}.servicebus.windows.net'

// Literal names shared with the code (PipelineNames.ServiceBusConnection, OptionsSection = Classifier);
// tests/CarClassifier.Infra.Tests checks them. No keys: identity only.
var workerSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  ServiceBusConnection__fullyQualifiedNamespace: fullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  // Local auth is off on Application Insights: the worker's exporters use this identity (src/CarClassifier.Worker/Program.cs).
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  Classifier__Transport: 'ServiceBus'
  Classifier__ServiceBus__MaxDeliveryCount: string(maxDeliveryCount)
  Classifier__ExecutionProvider: executionProvider
  Classifier__ModelManifest: modelManifest
}

resource worker 'Microsoft.App/containerApps@2025-07-01' = {
  name: workerAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'classifier-worker' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
      '${scalerIdentity.id}': {}
    }
  }
  properties: {
    managedEnvironmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      // The scaler identity (Data Owner on the queue) is for the scale rule only; the worker's code cannot get its token.
      identitySettings: [
        {
          identity: scalerIdentity.id
          lifecycle: 'None'
        }
      ]
      // No ingress: the worker pulls from Service Bus; KEDA scales it on the queue, not on HTTP.
      registries: empty(registryServer)
        ? []
        : [
            {
              server: registryServer
              identity: identityId
            }
          ]
    }
    template: {
      containers: [
        {
          name: 'worker'
          image: empty(image) ? placeholderImage : image
          command: empty(image) ? null : ['dotnet', '/app/worker/CarClassifier.Worker.dll']
          resources: {
            cpu: json(gpuSizes[gpuProfileType].cpu)
            memory: gpuSizes[gpuProfileType].memory
          }
          env: [
            for setting in items(union(extraSettings, workerSettings)): {
              name: setting.key
              value: setting.value
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            // KEDA azure-servicebus scaler, authenticated with the scaler identity (no connection string); "namespace:
            // Optional, required when pod identity is used" (https://keda.sh/docs/scalers/azure-service-bus/), and the
            // identity property in place of auth (https://learn.microsoft.com/azure/container-apps/scale-app#custom).
            name: 'servicebus-queue'
            custom: {
              type: 'azure-servicebus'
              identity: scalerIdentity.id
              metadata: {
                namespace: namespace.name
                queueName: queue.name
                messageCount: string(messagesPerReplica)
              }
            }
          }
        ]
      }
    }
  }
  // The worker receives as soon as it starts; the scaler reads the count as soon as the rule exists.
  dependsOn: [receiverRole, scalerRole]
}

output namespaceName string = namespace.name
output fullyQualifiedNamespace string = fullyQualifiedNamespace
output queueName string = queue.name
output workerAppName string = worker.name
output scalerIdentityName string = scalerIdentity.name
output scaleRule object = worker.properties.template.scale.rules[0]
