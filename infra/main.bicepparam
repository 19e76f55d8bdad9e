using './main.bicep'

// Defaults for a first deployment. Override on the command line, e.g.
//   -p infra/main.bicepparam -p classifierImage=<registry>.azurecr.io/car-classifier:1.0.0
param environmentName = 'dev'
param gpuProfileType = 'Consumption-GPU-NC8as-T4'
param classifierImage = ''
param classifierMinReplicas = 0
param classifierMaxReplicas = 1
param classifierExecutionProvider = 'Cuda'
param classifierModelManifest = '/models/resnet50-v1-12/manifest.json'
param functionsRuntimeVersion = '10.0'
param ingestMaximumInstanceCount = 40
param registrySku = 'Basic'
