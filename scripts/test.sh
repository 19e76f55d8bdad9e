#!/usr/bin/env bash
# Runs every test: unit, Azurite-backed end-to-end, infra validation.
# Installs what the tests need (Azurite from the pinned lock file, Pillow for reference checks);
# the end-to-end tests start their own private Azurite on free ports (10100-10105 unless taken; CARCLASS_TEST_AZURITE_PORT sets the base).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/azurite.sh install
scripts/deps.sh
if ! python3 -c 'import PIL' 2>/dev/null; then
  # Optional: the Pillow reference comparison is skipped (and says so) when this fails.
  (apt-get update -qq && apt-get install -y -qq python3-pil >/dev/null) 2>/dev/null || echo "python3-pil not installed; Pillow reference tests will be skipped." >&2
fi

if ! command -v tmux >/dev/null 2>&1; then
  # The 80-column terminal recording (TerminalRecordingTests) drives the CLI in a tmux pane; without tmux it falls
  # back to util-linux `script`, and without either it says so and skips.
  (apt-get update -qq && apt-get install -y -qq tmux >/dev/null) 2>/dev/null || echo "tmux not installed; the 80-column recording falls back to script(1)." >&2
fi
if ! command -v shellcheck >/dev/null 2>&1; then
  # The infra tests lint scripts/smoke-azure.sh with shellcheck; without it they say so and skip that check.
  (apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null) 2>/dev/null || echo "shellcheck not installed; the smoke-script lint will be skipped." >&2
fi

if ! command -v chromium >/dev/null 2>&1; then
  # The report tests render the HTML report in headless chromium; without it they fail and say so.
  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) 2>/dev/null || echo "chromium not installed; the report browser tests will fail (apt-get install -y chromium)." >&2
fi

if [[ ! -d ../shared/testdata ]]; then
  # A user's clone: the tests use the repository's images (samples/images, tests/testdata); the few that need the
  # project's larger corpus are reported as skipped (dotnet test --logger "console;verbosity=normal" prints each reason).
  echo "../shared/testdata not found beside this clone: the tests that need the larger test corpus are skipped (CI runs them)."
fi

log="$(mktemp)"
set +e
# The long fault and load runs (traits Category=Long and Category=Soak) have their own commands:
# scripts/test-long.sh and scripts/soak.sh. A --filter given here replaces this default.
filter=(--filter "Category!=Long&Category!=Soak")
for arg in "$@"; do [[ "$arg" == "--filter" ]] && filter=(); done
dotnet test Serverless.sln -c Release --nologo --blame-hang-timeout 10m "${filter[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Benchmark smoke run (no time thresholds): proves `bench --quick` still works end to end and prints its table.
# Its private Azurite sits 10 ports above the tests' (default 10110-10112).
bench_port=$(( ${CARCLASS_TEST_AZURITE_PORT:-10100} + 10 ))
echo "bench --quick (smoke run, numbers are informational):"
timeout 300 scripts/bench.sh --quick --azurite-port "$bench_port"
bench_status=$?
if [[ $bench_status -ne 0 ]]; then
  echo "bench --quick failed with exit code $bench_status" >&2
  [[ $status -eq 0 ]] && status=$bench_status
fi

# A fresh clone must be enough: the README's main command in a bare clone (no ../shared), generated model, every row checked.
# Its Azurite sits 20 ports above the tests' (default 10120-10122).
echo "fresh-clone check (scripts/run.sh --model resnet50-generated in a temporary clone):"
FRESH_CLONE_AZURITE_PORT=$(( ${CARCLASS_TEST_AZURITE_PORT:-10100} + 20 )) timeout 1200 scripts/fresh-clone-check.sh
clone_status=$?
if [[ $clone_status -ne 0 ]]; then
  echo "fresh-clone check failed with exit code $clone_status" >&2
  [[ $status -eq 0 ]] && status=$clone_status
fi
set -e

# One plain summary line over all test projects.
awk '
  /(Passed|Failed)! *- *Failed:/ {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1));
      if ($i == "Failed:") f += $(i+1);
      if ($i == "Passed:") p += $(i+1);
      if ($i == "Skipped:") s += $(i+1);
    }
  }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
