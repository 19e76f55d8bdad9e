#!/usr/bin/env bash
# Proves a fresh clone is enough: clones this repository's HEAD into an empty temporary folder (no ../shared beside
# it), runs the README's main command there with the generated model, and checks that every sample photo got a row;
# then runs the unit tests there (tests/CarClassifier.Core.Tests, the ones that read test images), which must pass with
# the repository's own images and report the tests that need ../shared/testdata as skipped.
#   scripts/fresh-clone-check.sh            # scripts/test.sh runs it; Azurite on 10120-10122 unless FRESH_CLONE_AZURITE_PORT sets the base
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
clone="$work/clone"
port="${FRESH_CLONE_AZURITE_PORT:-10120}"
export AZURITE_BLOB_PORT=$port AZURITE_QUEUE_PORT=$((port + 1)) AZURITE_TABLE_PORT=$((port + 2))
unset AzureWebJobsStorage
cleanup() {
  (cd "$clone" 2>/dev/null && scripts/azurite.sh stop >/dev/null 2>&1) || true
  rm -rf "$work"
}
trap cleanup EXIT

git clone --quiet --no-hardlinks "$root" "$clone"
[[ ! -e "$work/shared" ]] || { echo "fresh-clone-check: $work/shared exists; the check needs nothing beside the clone" >&2; exit 1; }

# Reuse the already-installed Azurite (the same pinned lock file) instead of a second 2-minute npm install.
if [[ -d "$root/tools/azurite/node_modules" ]] && cmp -s "$root/tools/azurite/package-lock.json" "$clone/tools/azurite/package-lock.json"; then
  ln -s "$root/tools/azurite/node_modules" "$clone/tools/azurite/node_modules"
fi

expected=$(find "$clone/samples/images" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | wc -l)
[[ "$expected" -ge 10 ]] || { echo "fresh-clone-check: only $expected sample images in samples/images" >&2; exit 1; }

out="$work/run.log"
set +e
(cd "$clone" && COLUMNS=200 timeout 900 scripts/run.sh --model resnet50-generated) >"$out" 2>&1
status=$?
set -e
cat "$out"
fail() { echo "fresh-clone-check FAILED: $*" >&2; exit 1; }
[[ $status -eq 0 ]] || fail "scripts/run.sh --model resnet50-generated exited $status in a fresh clone"
grep -q "$expected images: $expected succeeded, 0 failed" "$out" || fail "expected '$expected images: $expected succeeded, 0 failed' in the output"
# The rows themselves, read back from the results table as JSON lines (the printed table cuts names to fit the terminal).
prefix=$(grep -oE "images/run-[0-9]+-[0-9]+/" "$out" | head -n1 | sed 's#^images/##')
[[ -n "$prefix" ]] || fail "the run did not say which blob prefix it used"
rows_out="$work/rows.jsonl"
(cd "$clone" && dotnet src/CarClassifier.Cli/bin/Release/net10.0/carclass.dll results --prefix "$prefix" --format jsonl) >"$rows_out" 2>&1 \
  || { cat "$rows_out"; fail "carclass results --prefix $prefix --format jsonl failed"; }
rows=$(grep -c '"Succeeded"' "$rows_out" || true)
[[ "$rows" -eq "$expected" ]] || { cat "$rows_out"; fail "the results table holds $rows Succeeded rows under $prefix, expected $expected"; }
echo "fresh-clone-check: a clone with nothing beside it classified all $expected sample images."

tests_out="$work/tests.log"
set +e
(cd "$clone" && timeout 1200 dotnet test tests/CarClassifier.Core.Tests -c Release --nologo --filter "Category!=Long&Category!=Soak") >"$tests_out" 2>&1
status=$?
set -e
grep -E "^(Passed|Failed)!|\[FAIL\]" "$tests_out" || true
[[ $status -eq 0 ]] || { tail -n 60 "$tests_out"; fail "the unit tests failed in a fresh clone (exit $status)"; }
grep -qE "Skipped: +[1-9]" "$tests_out" || fail "no unit test reported a skip: the clone found a ../shared/testdata it should not have"
echo "fresh-clone-check: the unit tests pass in a clone with nothing beside it (the ones needing ../shared/testdata skipped)."
