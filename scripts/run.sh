#!/usr/bin/env bash
# The main job, on a fresh machine: installs and starts Azurite, builds the CLI, makes sure of the model,
# starts the local host, uploads a folder of images and prints the results table.
#   scripts/run.sh                                   # sample photos, real ResNet-50 (downloaded once)
#   scripts/run.sh --images ./my-photos
#   scripts/run.sh --model resnet50-generated        # no weights needed: seeded ResNet-50, labels meaningless
# Every option: scripts/run.sh --help
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/azurite.sh start
scripts/deps.sh
dotnet build src/CarClassifier.Cli -c Release --nologo -v quiet -clp:ErrorsOnly >&2
exec dotnet src/CarClassifier.Cli/bin/Release/net10.0/carclass.dll run "$@"
