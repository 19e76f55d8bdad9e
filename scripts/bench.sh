#!/usr/bin/env bash
# Benchmarks (never part of the tests): decode vs Pillow, inference, ONNX Runtime settings, end to end, through Azurite.
# Usage: scripts/bench.sh [--quick] [--json out.json] [any carclass-bench option; --help lists them]
# Installs what the peer needs (Debian python3-pil, python3-numpy) when missing; Azurite from the pinned lock file.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! python3 -c 'import PIL, numpy' 2>/dev/null; then
  (apt-get update -qq && apt-get install -y -qq python3-pil python3-numpy >/dev/null) 2>/dev/null \
    || echo "python3-pil/python3-numpy not installed; the Pillow peer will be skipped or slower." >&2
fi
scripts/deps.sh
if [[ ! -e tools/azurite/node_modules/.bin/azurite ]]; then
  scripts/azurite.sh install >/dev/null || echo "Azurite not installed; the azurite section will be skipped." >&2
fi

dotnet build bench/CarClassifier.Bench -c Release --nologo -v q -p:UseGpu="${USE_GPU:-false}" >/dev/null
# The plumbing section's classify-servicebus mode runs the Service Bus worker host as a child process.
dotnet build src/CarClassifier.Worker -c Release --nologo -v q >/dev/null
# The isolated section runs the Functions app's worker through a stand-in host (bench/CarClassifier.Bench/Isolated).
dotnet build src/CarClassifier.Functions -c Release --nologo -v q >/dev/null
exec dotnet bench/CarClassifier.Bench/bin/Release/net10.0/carclass-bench.dll "$@"
