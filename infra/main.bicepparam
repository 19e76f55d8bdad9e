using './main.bicep'

// Defaults for a first deployment. Override on the command line, e.g.
//   -p infra/main.bicepparam -p classifierImage=<registry>.azurecr.io/car-classifier:1.0.0
// No GPU quota yet? -p classifierCompute=cpu (and build the image with --build-arg COMPUTE=cpu): docs/DEPLOY.md.
param environmentName = 'dev'
param classifierCompute = 'gpu-t4'
param classifierImage = ''
param classifierMinReplicas = 0
param classifierMaxReplicas = 1
param classifierModelManifest = '/models/resnet50-v1-12/manifest.json'
param functionsRuntimeVersion = '10.0'
param ingestMaximumInstanceCount = 40
param registrySku = 'Basic'
