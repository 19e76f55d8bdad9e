metadata description = 'Azure Functions hosted natively on Azure Container Apps (Microsoft.App/containerApps, kind functionapp) on a chosen workload profile, with the scale rules the caller passes in place of the ones the platform would generate from the functions\' triggers (allowScalingRuleOverride).'

param name string
param location string
param tags object = {}

param environmentId string

@description('Workload profile (in the environment) the replicas run on.')
param workloadProfileName string

@description('Full image reference, e.g. cr123.azurecr.io/car-classifier:1.0.0.')
param image string

@description('Login server of the registry the image is pulled from with the identity (AcrPull); empty for a public image.')
param registryServer string = ''

@description('Resource ID of the user-assigned identity the app runs as and pulls images with.')
param identityId string

param cpu string
param memory string

@minValue(0)
param minReplicas int = 0

@minValue(1)
param maxReplicas int = 1

@description('Port the Functions host listens on inside the container.')
param targetPort int = 80

@description('Environment variables (names to values). Must hold no secrets: identity-based connections only.')
param settings object

@description('The KEDA scale rules that start and stop replicas. They replace the rules the platform would generate from the triggers (allowScalingRuleOverride): each must name the identity it authenticates with. Empty leaves scaling to the platform.')
param scaleRules array = []

// 2026-03-02-preview: the first API version with template.scale.allowScalingRuleOverride ("Override auto-generated KEDA
// scale rules for Azure Functions on Container Apps", learn.microsoft.com/azure/container-apps/functions-scale-rule-override).
resource app 'Microsoft.App/containerApps@2026-03-02-preview' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      // Functions on Container Apps needs ingress for event-driven scaling; internal keeps it off the internet.
      ingress: {
        external: false
        targetPort: targetPort
        transport: 'auto'
        allowInsecure: false
      }
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
          name: 'functions'
          image: image
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: [
            for setting in items(settings): {
              name: setting.key
              value: setting.value
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        // true: the platform generates no trigger-based rules and uses these instead. The platform's generation is
        // skipped with a user-assigned identity (microsoft/azure-container-apps#1633, #1599), and every later PUT of an
        // app whose generated identity-based rule lacks auth fails with ContainerAppScaleRuleMissingAuth (#1560,
        // Azure/azure-functions-on-container-apps#110). Rules written here carry their identity on every deployment.
        // The pinned Bicep CLI's types for this API version do not list the property yet; ARM receives it as written.
        #disable-next-line BCP037
        allowScalingRuleOverride: !empty(scaleRules)
        rules: scaleRules
      }
    }
  }
}

output name string = app.name
output resourceId string = app.id
output fqdn string = app.properties.configuration.ingress.fqdn
