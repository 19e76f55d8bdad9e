#!/usr/bin/env bash
# The main job, on a fresh machine: installs and starts Azurite, builds the CLI, makes sure of the model,
# starts the local host, uploads a folder of images and prints the results table.
#   scripts/run.sh                                   # the sample photos in samples/images, real ResNet-50 (downloaded once)
#   scripts/run.sh --images ./my-photos              # relative paths are resolved against your current directory
#   scripts/run.sh --model resnet50-generated        # no weights needed: seeded ResNet-50, labels meaningless
# Azurite ports: AZURITE_BLOB_PORT / AZURITE_QUEUE_PORT / AZURITE_TABLE_PORT (default 10000-10002), used by Azurite and the CLI alike.
# Every option: scripts/run.sh --help (prints without starting Azurite)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Every option of `carclass run`, checked here before anything is installed, started or built (a typo must not cost
# an Azurite start and a build). tests/.../RunScriptTests holds these lists against RunSettings.
flag_options=" -h --help -v --verbose -q --quiet "
value_options=" -i --images -m --model --prefix --timeout --decoder -c --connection --account-name --blob-endpoint --queue-endpoint --table-endpoint --log-level --log-file "
usage() { echo "scripts/run.sh: $1 (scripts/run.sh --help lists every option)" >&2; exit 2; }

# Paths the user typed are relative to where they typed them, not to the repository.
args=()
help=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) help=true; args+=("$1") ;;
    -i|--images)
      [[ $# -ge 2 ]] || usage "$1 needs a folder"
      args+=("$1" "$(realpath -m -- "$2")"); shift ;;
    --images=*) args+=("--images" "$(realpath -m -- "${1#--images=}")") ;;
    --*=*)
      [[ $value_options == *" ${1%%=*} "* ]] || usage "unknown option '${1%%=*}'"
      args+=("$1") ;;
    -*)
      if [[ $value_options == *" $1 "* ]]; then
        [[ $# -ge 2 ]] || usage "$1 needs a value"
        args+=("$1" "$2"); shift
      elif [[ $flag_options == *" $1 "* ]]; then
        args+=("$1")
      else
        usage "unknown option '$1'"
      fi ;;
    *) usage "unexpected argument '$1' (the images folder goes after --images)" ;;
  esac
  shift
done

cd "$root"
if $help; then
  exec ./carclass run --help
fi

# The CLI talks to the Azurite that scripts/azurite.sh starts, on the same ports.
if [[ -z "${AzureWebJobsStorage:-}" ]] && [[ -n "${AZURITE_BLOB_PORT:-}${AZURITE_QUEUE_PORT:-}${AZURITE_TABLE_PORT:-}" ]]; then
  key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==" # Azurite's published development key
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:${AZURITE_BLOB_PORT:-10000}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${AZURITE_QUEUE_PORT:-10001}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${AZURITE_TABLE_PORT:-10002}/devstoreaccount1;"
fi

scripts/azurite.sh start
scripts/deps.sh
# ./carclass builds the CLI the first time (it says so and how long it takes) and whenever the sources changed.
exec ./carclass run "${args[@]}"
