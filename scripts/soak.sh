#!/usr/bin/env bash
# Load test (trait Category=Soak), outside the default scripts/test.sh run: 10,000 small images through
# `carclass host` (colour model) on a private in-memory Azurite; asserts exactly 10,000 rows, no duplicate,
# right labels, and the host's peak RSS under 1.5 GiB. Prints one summary line and writes it to
# CARCLASS_SOAK_REPORT (default: soak-result.txt). CARCLASS_SOAK_IMAGES changes the count.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARCLASS_SOAK_REPORT="${CARCLASS_SOAK_REPORT:-$root/soak-result.txt}"
scripts/azurite.sh install
dotnet build tests/CarClassifier.EndToEnd.Tests -c Release --nologo -v q
dotnet test tests/CarClassifier.EndToEnd.Tests -c Release --no-build --nologo \
  --filter "Category=Soak" --logger "console;verbosity=detailed" "$@"
cat "$CARCLASS_SOAK_REPORT"
