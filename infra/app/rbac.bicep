metadata description = 'Every role assignment in the system, each scoped to the narrowest resource that works (a container, a queue, a table, the registry). Names are guid(scope, principal, role).'

param storageAccountName string
param registryName string
param applicationInsightsName string

@description('Principal ID of the user-assigned identity both function apps run as.')
param appPrincipalId string

@description('Principal ID of the Event Grid system topic\'s identity (writes dead-lettered events).')
param eventGridPrincipalId string

param imagesContainerName string
param deploymentContainerName string
param deadLetterContainerName string

@description('Containers the Functions host keeps its leases, locks and keys in.')
param hostContainerNames string[]

param workQueueName string

@description('Queues the runtime creates on first use and moves failed messages to.')
param poisonQueueNames string[]

param resultsTableName string

// Built-in role definition IDs: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  storageQueueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

var blobGrants = concat(
  [
    // Both hosts read the uploaded images; nothing writes them.
    { container: imagesContainerName, role: roles.storageBlobDataReader, principalId: appPrincipalId }
    // Flex Consumption pulls the app package from here.
    { container: deploymentContainerName, role: roles.storageBlobDataContributor, principalId: appPrincipalId }
    // Event Grid writes undeliverable BlobCreated events here.
    { container: deadLetterContainerName, role: roles.storageBlobDataContributor, principalId: eventGridPrincipalId }
  ],
  map(hostContainerNames, c => { container: c, role: roles.storageBlobDataOwner, principalId: appPrincipalId })
)

var queueGrants = concat(
  [
    // IngestImage sends one claim-check message per image.
    { queue: workQueueName, role: roles.storageQueueDataMessageSender }
    // ClassifyImages (queue trigger) reads queue metadata and gets, updates and deletes messages.
    { queue: workQueueName, role: roles.storageQueueDataReader }
    { queue: workQueueName, role: roles.storageQueueDataMessageProcessor }
  ],
  // The runtime creates a poison queue on first use, so it needs create as well as send there.
  map(poisonQueueNames, q => { queue: q, role: roles.storageQueueDataContributor })
)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobServices 'blobServices' existing = {
    name: 'default'
  }

  resource queueServices 'queueServices' existing = {
    name: 'default'
  }

  resource tableServices 'tableServices' existing = {
    name: 'default'
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [
  for grant in blobGrants: {
    parent: storage::blobServices
    name: grant.container
  }
]

resource blobRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in blobGrants: {
    name: guid(containers[i].id, grant.principalId, grant.role)
    scope: containers[i]
    properties: {
      principalId: grant.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.role)
    }
  }
]

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [
  for grant in queueGrants: {
    parent: storage::queueServices
    name: grant.queue
  }
]

resource queueRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in queueGrants: {
    name: guid(queues[i].id, appPrincipalId, grant.role)
    scope: queues[i]
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.role)
    }
  }
]

resource resultsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' existing = {
  parent: storage::tableServices
  name: resultsTableName
}

// ClassifyImages upserts one row per blob.
resource tableRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resultsTable.id, appPrincipalId, roles.storageTableDataContributor)
  scope: resultsTable
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource acrPullAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, appPrincipalId, roles.acrPull)
  scope: registry
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Application Insights has local auth off: telemetry is sent with an Entra token.
resource metricsPublisherAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}
