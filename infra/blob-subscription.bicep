// The Event Grid subscription that feeds IngestImage (blob trigger, Source = EventGrid).
// Deployed after the ingest code by infra/scripts/post-deploy.sh, because the webhook needs the
// blobs_extension system key, which exists only once the Functions host has started with the code.
targetScope = 'resourceGroup'

@description('System topic on the storage account (output SYSTEM_TOPIC_NAME of main.bicep).')
param systemTopicName string

@secure()
@description('Webhook of the blobs extension: https://<ingest host>/runtime/webhooks/blobs?functionName=Host.Functions.IngestImage&code=<blobs_extension key>. It carries a key, so post-deploy.sh builds it and passes it in.')
param webhookEndpointUrl string

@description('Storage account that receives dead-lettered events (output STORAGE_ACCOUNT_NAME of main.bicep).')
param storageAccountName string

@description('Container users drop images into (PipelineNames.ImagesContainer).')
param imagesContainerName string = 'images'

@description('Container for events Event Grid could not deliver.')
param deadLetterContainerName string = 'eventgrid-deadletter'

@description('Blob name suffixes that trigger ingest (Event Grid compares them case-insensitively); match ImageLimits.AcceptedFormats.')
param imageSuffixes string[] = ['.jpg', '.jpeg', '.png', '.gif', '.bmp', '.webp', '.tif', '.tiff']

@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'ingest-blob-created'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: webhookEndpointUrl
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${imagesContainerName}/blobs/'
      advancedFilters: [
        {
          operatorType: 'StringEndsWith'
          key: 'subject'
          values: imageSuffixes
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    // The topic's own identity writes dead letters (Storage Blob Data Contributor on that container, in app/rbac.bicep).
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output subscriptionName string = subscription.name
