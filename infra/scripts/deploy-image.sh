#!/usr/bin/env bash
# Puts a new classifier image on an existing deployment: re-runs infra/main.bicep with the image and the deployment's own
# compute and transport, then checks that the app that classifies still has the scale rule that starts it from zero.
#
#   infra/scripts/deploy-image.sh <resource-group> <image> [main-deployment-name]
#   e.g. infra/scripts/deploy-image.sh rg-car-classifier-dev cr123.azurecr.io/car-classifier:1.0.1
#
# Why the template and not `az containerapp update --image` or `azd deploy`: on a kind=functionapp container app those
# read the app, change the image and write everything back, including scale rules; a platform-generated, identity-based
# rule comes back without its identity and the write fails with ContainerAppScaleRuleMissingAuth
# (microsoft/azure-container-apps#1560, Azure/azure-functions-on-container-apps#110), or the rules are dropped
# (Azure/azure-cli#32409). The template writes its own rules, each with its identity, on every deployment
# (allowScalingRuleOverride, "Override auto-generated KEDA scale rules for Azure Functions on Container Apps").
# If an update is still refused with ContainerAppScaleRuleMissingAuth (an app created before this template owned its
# rules), this script applies that page's documented PATCH with the template's rule, then deploys again.
#
# Needs: az (signed in) with rights to deploy to the resource group. Exit codes: 0 deployed and checked, 1 failed, 2 usage.
set -euo pipefail

usage() {
  echo "usage: infra/scripts/deploy-image.sh <resource-group> <image> [main-deployment-name]" >&2
  exit 2
}

[[ $# -ge 2 && $# -le 3 ]] || usage
rg="$1"
image="$2"
deployment="${3:-main}"
[[ "$image" == */*:* ]] || { echo "deploy-image: '$image' is not a full image reference (<registry>/<name>:<tag>)" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
infra="$here/.."

output() {
  az deployment group show -g "$rg" -n "$deployment" --query "properties.outputs.$1.value" -o tsv 2>/dev/null
}

compute="$(output CLASSIFIER_COMPUTE)" \
  || { echo "deploy-image: cannot read deployment '$deployment' in '$rg': deploy infra/main.bicep first (docs/DEPLOY.md step 2)" >&2; exit 1; }
transport="$(output TRANSPORT)"
app="$(output CLASSIFIER_APP_NAME)"
[[ -n "$compute" && -n "$transport" && -n "$app" ]] \
  || { echo "deploy-image: deployment '$deployment' lacks CLASSIFIER_COMPUTE/TRANSPORT/CLASSIFIER_APP_NAME outputs: redeploy infra/main.bicep with this repository's template" >&2; exit 1; }

deploy() {
  az deployment group create -g "$rg" -n "$deployment" -f "$infra/main.bicep" -p "$infra/main.bicepparam" \
    -p classifierCompute="$compute" transport="$transport" classifierImage="$image" \
    --query properties.provisioningState -o tsv 2>&1
}

echo "deploy-image: deploying $image to $app ($compute, $transport)" >&2
if ! result="$(deploy)"; then
  if [[ "$result" != *ContainerAppScaleRuleMissingAuth* || "$transport" != "StorageQueue" ]]; then
    echo "$result" >&2
    echo "deploy-image: the deployment failed (above)." >&2
    exit 1
  fi
  # The app still holds platform-generated rules without their identity. Take the rules over with the documented PATCH
  # (allowScalingRuleOverride=true and the template's rule, which names its identity), then deploy again.
  echo "deploy-image: ContainerAppScaleRuleMissingAuth: replacing the app's generated scale rules with the template's rule, then retrying" >&2
  rule="$(az deployment group show -g "$rg" -n "$deployment" --query properties.outputs.CLASSIFIER_SCALE_RULE.value -o json)"
  [[ -n "$rule" && "$rule" != "null" ]] \
    || { echo "deploy-image: deployment '$deployment' has no CLASSIFIER_SCALE_RULE output to apply; deploy infra/main.bicep once without the image, then retry" >&2; exit 1; }
  id="$(az containerapp show -g "$rg" -n "$app" --query id -o tsv)"
  body="$(printf '{"properties":{"template":{"scale":{"allowScalingRuleOverride":true,"rules":[%s]}}}}' "$rule")"
  az rest --method PATCH --uri "https://management.azure.com${id}?api-version=2026-03-02-preview" \
    --headers "Content-Type=application/json" --body "$body" --output none
  if ! result="$(deploy)"; then
    echo "$result" >&2
    echo "deploy-image: the deployment failed again after the scale-rule PATCH; see docs/DEPLOY.md, 'Redeploying the image'." >&2
    exit 1
  fi
fi

# The rule that starts the classifier from zero must be there after every deployment (scripts/smoke-azure.sh checks more).
type="$(output CLASSIFIER_SCALE_RULE_TYPE)"
queue="$(output WORK_QUEUE)"
if [[ "$type" == "azure-queue" ]]; then
  filter="rules[?azureQueue.queueName=='$queue' && azureQueue.identity]"
else
  filter="rules[?custom.type=='$type' && custom.metadata.queueName=='$queue' && custom.identity]"
fi
found="$(az resource show -g "$rg" -n "$app" --resource-type Microsoft.App/containerApps --api-version 2026-03-02-preview \
  --query "length(properties.template.scale.$filter || \`[]\`)" -o tsv 2>/dev/null || echo "?")"
if [[ "$found" != "1" ]]; then
  echo "deploy-image: deployed, but '$app' has no $type rule with an identity on '$queue' (found: $found): nothing will start a replica. See docs/DEPLOY.md, 'Scale from zero'." >&2
  exit 1
fi
echo "deploy-image: $app runs $image; its $type rule on '$queue' is in place. Next: scripts/smoke-azure.sh $rg --image <photo>" >&2
