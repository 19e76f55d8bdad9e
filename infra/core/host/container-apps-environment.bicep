metadata description = 'A workload-profiles Container Apps environment with the Consumption profile and, optionally, one serverless (Consumption) GPU profile. Logs go to Log Analytics through a diagnostic setting, so no workspace key is needed.'

param name string
param location string
param tags object = {}

@description('Name the GPU workload profile gets inside the environment; apps select it with workloadProfileName. Empty: no GPU profile (CPU apps use the Consumption profile).')
param gpuProfileName string = ''

@description('Serverless GPU workload profile type; ignored when gpuProfileName is empty.')
@allowed(['', 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100'])
param gpuProfileType string = ''

@description('Resource ID of the Log Analytics workspace that receives the environment\'s console and system logs.')
param logAnalyticsWorkspaceId string

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      // 'azure-monitor' routes logs through diagnostic settings; 'log-analytics' would need the workspace shared key.
      destination: 'azure-monitor'
    }
    zoneRedundant: false
    workloadProfiles: concat(
      [
        {
          name: 'Consumption'
          workloadProfileType: 'Consumption'
        }
      ],
      empty(gpuProfileName)
        ? []
        : [
            {
              name: gpuProfileName
              workloadProfileType: gpuProfileType
            }
          ]
    )
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = environment.name
output resourceId string = environment.id
