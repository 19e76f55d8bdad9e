metadata description = 'An Event Grid system topic for a storage account, with a system-assigned identity used to write dead-lettered events.'

param name string
param location string
param tags object = {}
param storageAccountId string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storageAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = topic.name
output resourceId string = topic.id
output principalId string = topic.identity.principalId
