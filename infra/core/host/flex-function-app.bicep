metadata description = 'A Linux function app on the Flex Consumption (FC1) plan whose deployment package and host storage are reached with a user-assigned identity.'

param name string
param planName string
param location string
param tags object = {}

@description('Storage account that holds the deployment package container.')
param storageAccountName string

@description('Blob container the Flex Consumption platform deploys the app package from.')
param deploymentContainerName string

@description('Resource ID of the user-assigned identity the app runs as.')
param identityId string

@allowed(['dotnet-isolated'])
param runtimeName string = 'dotnet-isolated'

param runtimeVersion string = '10.0'

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

// 40 is the lowest value Flex Consumption accepted when this was written (event-driven-scaling#limit-scale-out, learn.microsoft.com).
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('App settings (names to values). Must hold no secrets: identity-based connections only.')
param appSettings object

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }

  // No basic-auth publishing: deployments use Entra ID (az CLI / Core Tools sign in with a token).
  resource ftpPolicy 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPolicy 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = functionApp.name
output resourceId string = functionApp.id
output planName string = plan.name
output defaultHostName string = functionApp.properties.defaultHostName
