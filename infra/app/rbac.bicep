metadata description = 'Every role assignment in the system. Storage grants come from infra/storage-use.json (the storage use table), each on the narrowest scope it names: a container, a queue, a table, or the account where a resource name is not known in advance. Names are guid(scope, principal, role).'

param storageAccountName string
param registryName string
param applicationInsightsName string

@description('Principal ID of the identity the ingest (Flex Consumption) app runs as.')
param ingestPrincipalId string

@description('Principal ID of the identity the classifier (Container Apps) app runs as.')
param classifierPrincipalId string

@description('Principal ID of the Event Grid system topic\'s identity (writes dead-lettered events).')
param eventGridPrincipalId string

@description('The Flex deployment container: stands for {deployment} in the use table.')
param deploymentContainerName string

// The storage use table. Tests check that its grants cover every use (and nothing more) and that the local host
// touches nothing outside it; this module only turns its grants into role assignments.
var storageUse = loadJsonContent('../storage-use.json')

var principals = {
  ingest: ingestPrincipalId
  classifier: classifierPrincipalId
  eventGrid: eventGridPrincipalId
}

var storageGrants = flatten(map(
  items(storageUse.identities),
  identity =>
    map(identity.value.grants, grant => {
      principalId: principals[identity.key]
      roleId: storageUse.roles[grant.role].id
      scope: grant.scope
      resource: replace(grant.?resource ?? '', '{deployment}', deploymentContainerName)
    })
))

var containerGrants = filter(storageGrants, g => g.scope == 'container')
var queueGrants = filter(storageGrants, g => g.scope == 'queue')
var tableGrants = filter(storageGrants, g => g.scope == 'table')
var accountGrants = filter(storageGrants, g => g.scope == 'account')

// Built-in role definition IDs outside storage ("Azure built-in roles", https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

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
  for grant in containerGrants: {
    parent: storage::blobServices
    name: grant.resource
  }
]

resource containerRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in containerGrants: {
    name: guid(containers[i].id, grant.principalId, grant.roleId)
    scope: containers[i]
    properties: {
      principalId: grant.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    }
  }
]

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [
  for grant in queueGrants: {
    parent: storage::queueServices
    name: grant.resource
  }
]

resource queueRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in queueGrants: {
    name: guid(queues[i].id, grant.principalId, grant.roleId)
    scope: queues[i]
    properties: {
      principalId: grant.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    }
  }
]

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' existing = [
  for grant in tableGrants: {
    parent: storage::tableServices
    name: grant.resource
  }
]

resource tableRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in tableGrants: {
    name: guid(tables[i].id, grant.principalId, grant.roleId)
    scope: tables[i]
    properties: {
      principalId: grant.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    }
  }
]

// Account scope only where the resource name is the platform's choice (the blob extension's host queue is named after
// the host ID: azure-webjobs-blobtrigger-<hostId>).
resource accountRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for grant in accountGrants: {
    name: guid(storage.id, grant.principalId, grant.roleId)
    scope: storage
    properties: {
      principalId: grant.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    }
  }
]

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

// Only the classifier runs from an image; the Flex app runs a zip package.
resource acrPullAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, classifierPrincipalId, roles.acrPull)
  scope: registry
  properties: {
    principalId: classifierPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Application Insights has local auth off: both hosts and their workers send telemetry with an Entra token.
resource metricsPublisherAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in [ingestPrincipalId, classifierPrincipalId]: {
    name: guid(applicationInsights.id, principalId, roles.monitoringMetricsPublisher)
    scope: applicationInsights
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    }
  }
]
