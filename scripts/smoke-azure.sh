#!/usr/bin/env bash
# Post-deploy smoke test: is the deployed pipeline classifying?
#
#   scripts/smoke-azure.sh <resource-group> --image <file.jpg> [--deployment main] [--timeout 900]
#
# What it does, all with your own Entra sign-in (az login) and no key:
#   1. reads the outputs of the main deployment (infra/main.bicep);
#   2. uploads <file> to the images container as smoke/<time>-<random>.<ext>;
#   3. waits for that blob's row in the results table, then prints the time from upload to row;
#   4. checks what decides whether a classifier starts and whether anything was given up on:
#      - the classifier app has a scale rule of the type its transport needs (azure-queue on the storage queue,
#        azure-servicebus on Service Bus), naming the queue and an identity; on the storage queue the app owns its rules
#        (allowScalingRuleOverride); the identity holds the role the scaler needs on the queue (Storage Queue Data Reader,
#        or Azure Service Bus Data Owner for the scaler identity);
#      - both dead-letter paths: the storage poison queues (classify-requests-poison, webjobs-blobtrigger-poison) and, on
#        Service Bus, the queue's dead-letter sub-queue; and the eventgrid-deadletter container;
#   5. exits 0 only when the row says Succeeded and nothing above looks wrong.
# It cannot tell you more than those resources show: it does not read logs or Application Insights. When it fails it
# names what to check next (docs/DEPLOY.md, "When nothing happens").
#
# Your user needs data-plane roles (docs/DEPLOY.md step 6): Storage Blob Data Contributor on container images,
# Storage Blob Data Reader on container eventgrid-deadletter, Storage Table Data Reader on table classifications,
# Storage Queue Data Reader on the storage account's queues; and Reader on the resource group (scale rules, role
# assignments and the Service Bus queue's counts are read through Azure Resource Manager).
#
# Exit codes: 0 passed, 1 failed (the reason is printed), 2 usage error.
set -euo pipefail

usage() {
  echo "usage: scripts/smoke-azure.sh <resource-group> --image <file> [--deployment <name>] [--timeout <seconds>]" >&2
  exit 2
}

fail() {
  echo "smoke: FAIL: $*" >&2
  exit 1
}

rg=""
image=""
deployment="main"
timeout_s=900
while [[ $# -gt 0 ]]; do
  case "$1" in
    --image) [[ $# -ge 2 ]] || usage; image="$2"; shift 2 ;;
    --deployment) [[ $# -ge 2 ]] || usage; deployment="$2"; shift 2 ;;
    --timeout) [[ $# -ge 2 ]] || usage; timeout_s="$2"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "smoke: unknown option '$1'" >&2; usage ;;
    *) [[ -z "$rg" ]] || { echo "smoke: unexpected argument '$1'" >&2; usage; }; rg="$1"; shift ;;
  esac
done
[[ -n "$rg" ]] || usage
[[ -n "$image" ]] || { echo "smoke: --image <file> is required (a photo of a car works best)" >&2; usage; }
[[ -f "$image" ]] || { echo "smoke: image file '$image' does not exist" >&2; exit 2; }
if ! [[ "$timeout_s" =~ ^[0-9]+$ ]] || ((timeout_s == 0)); then
  echo "smoke: --timeout must be a positive number of seconds, not '$timeout_s'" >&2
  exit 2
fi
command -v az >/dev/null || { echo "smoke: the Azure CLI (az) is not installed" >&2; exit 2; }
command -v sha256sum >/dev/null || { echo "smoke: sha256sum is not installed" >&2; exit 2; }

output() {
  az deployment group show -g "$rg" -n "$deployment" --query "properties.outputs.$1.value" -o tsv 2>/dev/null
}

account="$(output STORAGE_ACCOUNT_NAME)" \
  || fail "cannot read deployment '$deployment' in resource group '$rg': is it deployed, and are you signed in (az login) with Reader on the group?"
[[ -n "$account" ]] || fail "deployment '$deployment' in '$rg' has no STORAGE_ACCOUNT_NAME output: deploy infra/main.bicep first"
container="$(output IMAGES_CONTAINER)"
table="$(output RESULTS_TABLE)"
poison="$(output POISON_QUEUE)"
blob_poison="$(output BLOB_TRIGGER_POISON_QUEUE)"
dead_letter="$(output DEAD_LETTER_CONTAINER)"
classifier="$(output CLASSIFIER_APP_NAME)"
work_queue="$(output WORK_QUEUE)"
transport="$(output TRANSPORT)"
rule_type="$(output CLASSIFIER_SCALE_RULE_TYPE)"
service_bus="$(output SERVICE_BUS_NAMESPACE)"
[[ -n "$rule_type" ]] || fail "deployment '$deployment' has no CLASSIFIER_SCALE_RULE_TYPE output: it predates the explicit scale rules; redeploy infra/main.bicep (docs/DEPLOY.md step 2)"

extension="${image##*.}"
name="smoke/$(date -u +%Y%m%dT%H%M%SZ)-$RANDOM.${extension,,}"
path="$container/$name"
# Row keys as src/CarClassifier.Core/Results/ResultKeys.cs makes them: partition = first byte of SHA-256(path) in hex,
# row = the path with '/' percent-encoded (the smoke blob's name has no other character that needs it).
partition_key="$(printf '%s' "$path" | sha256sum | cut -c1-2)"
row_key="${path//\//%2F}"

echo "smoke: uploading $image to $account/$path" >&2
az storage blob upload --account-name "$account" --auth-mode login --only-show-errors \
  -c "$container" -n "$name" -f "$image" >/dev/null \
  || fail "upload refused: give your user Storage Blob Data Contributor on container '$container' (role assignments take a few minutes)"
start=$(date +%s)

row=""
while (($(date +%s) - start < timeout_s)); do
  row="$(az storage entity show --account-name "$account" --auth-mode login -t "$table" \
    --partition-key "$partition_key" --row-key "$row_key" \
    --query "[Status, Label, Probability, ErrorKind, Error]" -o tsv 2>/dev/null || true)"
  [[ -n "$row" ]] && break
  sleep 5
done
elapsed=$(($(date +%s) - start))

problems=()

# Events Event Grid gave up on: the webhook was unreachable or refused (wrong key, app down, 403s in the host).
dead_letters="$(az storage blob list --account-name "$account" --auth-mode login -c "$dead_letter" \
  --query "length(@)" -o tsv 2>/dev/null || echo "?")"
if [[ "$dead_letters" == "?" ]]; then
  problems+=("cannot list container '$dead_letter' (give your user Storage Blob Data Reader on it)")
elif ((dead_letters > 0)); then
  problems+=("$dead_letters dead-lettered Event Grid event file(s) in '$dead_letter': Event Grid could not deliver BlobCreated to the ingest app. Check the subscription (infra/scripts/post-deploy.sh), that IngestImage is deployed, and the ingest app's logs for 401/403")
fi

for queue in "$poison" "$blob_poison"; do
  count="$(az storage message peek --account-name "$account" --auth-mode login -q "$queue" --num-messages 32 \
    --query "length(@)" -o tsv 2>/dev/null || echo "?")"
  if [[ "$count" == "?" ]]; then
    problems+=("cannot peek queue '$queue' (it may not exist yet, or give your user Storage Queue Data Reader)")
  elif ((count > 0)); then
    problems+=("$count message(s) in poison queue '$queue': these failed every retry. See them with 'carclass poison list' and the host logs")
  fi
done

# Scale from zero: with minReplicas 0 only a KEDA rule of the right type starts a replica. Counting rules is not enough:
# the platform's HTTP rule would hide a missing queue rule. The template writes the rule itself (docs/DEPLOY.md, "Scale
# from zero"); the preview API version is the first that returns allowScalingRuleOverride.
app_json="$(az resource show -g "$rg" -n "$classifier" --resource-type Microsoft.App/containerApps \
  --api-version 2026-03-02-preview -o json 2>/dev/null || true)"
if [[ -z "$app_json" ]]; then
  problems+=("cannot read container app '$classifier' (your user needs Reader on resource group '$rg')")
else
  query() { az resource show -g "$rg" -n "$classifier" --resource-type Microsoft.App/containerApps \
    --api-version 2026-03-02-preview --query "$1" -o tsv 2>/dev/null || true; }
  min_replicas="$(query properties.template.scale.minReplicas)"
  if [[ "$rule_type" == "azure-queue" ]]; then
    matching="$(query "length(properties.template.scale.rules[?azureQueue.queueName=='$work_queue' || (custom.type=='azure-queue' && custom.metadata.queueName=='$work_queue')] || \`[]\`)")"
    identity="$(query "properties.template.scale.rules[?azureQueue.queueName=='$work_queue'] | [0].azureQueue.identity")"
    override="$(query properties.template.scale.allowScalingRuleOverride)"
    if [[ "${override,,}" != "true" ]]; then
      problems+=("container app '$classifier' leaves its scale rules to the platform (allowScalingRuleOverride is not true), whose azure-queue rule is skipped with a user-assigned identity: redeploy infra/main.bicep with this repository's template (docs/DEPLOY.md, 'Scale from zero')")
    fi
  else
    matching="$(query "length(properties.template.scale.rules[?custom.type=='azure-servicebus' && custom.metadata.queueName=='$work_queue'] || \`[]\`)")"
    identity="$(query "properties.template.scale.rules[?custom.type=='azure-servicebus'] | [0].custom.identity")"
  fi
  if [[ "$matching" != "1" ]]; then
    problems+=("container app '$classifier' has no $rule_type scale rule on '$work_queue' (found ${matching:-none}); with minReplicas ${min_replicas:-?} nothing starts a classifier. Redeploy infra/main.bicep, which writes the rule (docs/DEPLOY.md, 'Scale from zero')")
  elif [[ -z "$identity" || "$identity" == "None" ]]; then
    problems+=("the $rule_type rule of '$classifier' names no identity, so KEDA cannot authenticate (ContainerAppScaleRuleMissingAuth on the next update): redeploy infra/main.bicep")
  else
    # The identity the rule uses must hold the role its scaler needs on the queue.
    principal="$(az identity show --ids "$identity" --query principalId -o tsv 2>/dev/null || true)"
    if [[ "$rule_type" == "azure-queue" ]]; then
      role="Storage Queue Data Reader"
      scope="$(output STORAGE_ACCOUNT_ID)/queueServices/default/queues/$work_queue"
    else
      role="Azure Service Bus Data Owner"
      scope="$(az servicebus queue show -g "$rg" --namespace-name "$service_bus" -n "$work_queue" --query id -o tsv 2>/dev/null || true)"
    fi
    granted="$(az role assignment list --assignee "${principal:-none}" --scope "${scope:-none}" --role "$role" --query "length(@)" -o tsv 2>/dev/null || echo "?")"
    if [[ "$granted" == "?" || -z "$principal" || -z "$scope" ]]; then
      problems+=("cannot check the role of the scale rule's identity (Reader on resource group '$rg' is needed)")
    elif ((granted == 0)); then
      problems+=("the scale rule's identity ($identity) has no '$role' on $scope, so the $rule_type scaler cannot read the queue length and never starts a replica: redeploy infra/main.bicep (it assigns it), then wait a few minutes for the assignment to apply")
    fi
  fi
fi

# Service Bus keeps its own dead letters: messages that failed every delivery or expired (the storage poison queues are
# checked above). Counts come from Azure Resource Manager, so Reader on the group is enough.
if [[ "$transport" == "ServiceBus" ]]; then
  counts="$(az servicebus queue show -g "$rg" --namespace-name "$service_bus" -n "$work_queue" \
    --query "[countDetails.activeMessageCount, countDetails.deadLetterMessageCount]" -o tsv 2>/dev/null || true)"
  if [[ -z "$counts" ]]; then
    problems+=("cannot read Service Bus queue '$service_bus/$work_queue' (Reader on resource group '$rg' is needed)")
  else
    read -r active dead <<<"$counts"
    if ((dead > 0)); then
      problems+=("$dead message(s) in the dead-letter queue of '$service_bus/$work_queue': they failed every delivery or expired. Their DeadLetterReason says why ('carclass poison list' reads them, or the portal's Service Bus Explorer)")
    fi
    if [[ -z "$row" ]] && ((active > 0)); then
      problems+=("$active message(s) waiting in '$service_bus/$work_queue' and no row: the worker did not start or cannot receive. See the replicas and logs of '$classifier' (docs/DEPLOY.md, 'When nothing happens')")
    fi
  fi
fi

if [[ -z "$row" ]]; then
  for problem in "${problems[@]}"; do echo "smoke: - $problem" >&2; done
  fail "no row for $path after ${timeout_s}s. Check, in order: dead letters and poison queues (above); the ingest app ran IngestImage (az monitor app-insights or the Flex log stream); messages waiting in '$work_queue'; classifier replicas (az containerapp replica list -g $rg -n $classifier) and their logs (az containerapp logs show -g $rg -n $classifier). A GPU cold start can take minutes; rerun with a larger --timeout"
fi

IFS=$'\t' read -r status label probability error_kind error <<<"$row"
echo "smoke: row after ${elapsed}s (upload to row, including any cold start): $status ${label:-} ${probability:-} ${error_kind:-} ${error:-}"
for problem in "${problems[@]}"; do echo "smoke: - $problem" >&2; done
[[ "$status" == "Succeeded" ]] \
  || fail "the pipeline ran but the image failed ($error_kind: $error). If that names the model or CUDA, check the classifier logs; if it names the image, try another photo"
((${#problems[@]} == 0)) || fail "the image was classified, but the checks above found problems"
echo "smoke: PASS"
