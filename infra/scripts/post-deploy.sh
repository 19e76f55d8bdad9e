#!/usr/bin/env bash
# Creates or updates the Event Grid subscription that feeds IngestImage (blob trigger, Source = EventGrid).
# Run it after the ingest code is deployed: the webhook needs the blobs_extension system key, which the
# Functions host creates only once it has started with the code.
#
#   infra/scripts/post-deploy.sh <resource-group> [main-deployment-name]
#
# Needs: az (signed in), rights to read the function app's keys and to deploy to the resource group.
set -euo pipefail

rg="${1:?usage: post-deploy.sh <resource-group> [main-deployment-name]}"
deployment="${2:-main}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

output() {
  az deployment group show -g "$rg" -n "$deployment" --query "properties.outputs.$1.value" -o tsv
}

app="$(output INGEST_APP_NAME)"
function_name="$(output INGEST_FUNCTION_NAME)"
topic="$(output SYSTEM_TOPIC_NAME)"
storage="$(output STORAGE_ACCOUNT_NAME)"
images="$(output IMAGES_CONTAINER)"
dead_letter="$(output DEAD_LETTER_CONTAINER)"
host="$(az functionapp show -g "$rg" -n "$app" --query defaultHostName -o tsv)"

# The key appears a little after the first start; wait for it rather than fail.
key=""
for attempt in $(seq 1 30); do
  key="$(az functionapp keys list -g "$rg" -n "$app" --query "systemKeys.blobs_extension" -o tsv 2>/dev/null || true)"
  [[ -n "$key" ]] && break
  echo "Waiting for the blobs_extension key of $app (attempt $attempt/30)..." >&2
  sleep 10
done
if [[ -z "$key" ]]; then
  echo "No blobs_extension key on $app. Is the ingest code deployed and does IngestImage use Source = BlobTriggerSource.EventGrid?" >&2
  exit 1
fi

endpoint="https://${host}/runtime/webhooks/blobs?functionName=Host.Functions.${function_name}&code=${key}"

# Incremental deployment of one resource: creating it again updates it in place.
az deployment group create -g "$rg" -n blob-subscription \
  -f "$here/../blob-subscription.bicep" \
  -p systemTopicName="$topic" storageAccountName="$storage" \
     imagesContainerName="$images" deadLetterContainerName="$dead_letter" \
  -p webhookEndpointUrl="$endpoint" \
  --query "properties.outputs.subscriptionName.value" -o tsv

echo "Event Grid subscription on $topic now delivers BlobCreated events for '$images' to $app." >&2
