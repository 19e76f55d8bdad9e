#!/usr/bin/env bash
# The long fault tests (trait Category=Long), outside the default scripts/test.sh run:
#  - carclass host killed with SIGKILL mid-run with 1,000 images in flight, then restarted (CARCLASS_SIGKILL_IMAGES to change);
#  - a disk-persisted Azurite killed and restarted mid-run under a running host.
# About 5 minutes on a 2-core VM. Uses Azurite ports CARCLASS_TEST_AZURITE_PORT..+5 (default 10100..10105).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/azurite.sh install
dotnet build tests/CarClassifier.EndToEnd.Tests -c Release --nologo -v q
dotnet test tests/CarClassifier.EndToEnd.Tests -c Release --no-build --nologo \
  --filter "Category=Long" --logger "console;verbosity=detailed" "$@"
