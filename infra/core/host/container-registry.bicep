metadata description = 'A container registry with the admin user and anonymous pull off: images are pulled with AcrPull on a managed identity.'

param name string
param location string
param tags object = {}

@allowed(['Basic', 'Standard', 'Premium'])
param skuName string = 'Basic'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output name string = registry.name
output resourceId string = registry.id
output loginServer string = registry.properties.loginServer
