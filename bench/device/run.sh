#!/usr/bin/env bash
# Runs on the GPU machine from the repository root: unpacks .device/bench (made by publish.sh) and runs the GPU
# benchmarks, writing JSON and logs to $OUT (or .device/out). Stops after ~540 s so a 600 s call returns results.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${OUT:-$root/.device/out}"
mkdir -p "$out"
work="$(mktemp -d)"
cat .device/bench/bench.tar.gz.part-* | tar -C "$work" -xzf -
app="$work/app/carclass-bench"
chmod +x "$app"
deadline=$((SECONDS + 540))
left() { echo $((deadline - SECONDS)); }

{ nvidia-smi; uptime; nproc; } > "$out/machine.txt" 2>&1

cd "$work"   # models/ and photos/ sit next to app/
common=(--photos "$work/photos" --model-cache "$work/.models")
for model in resnet50-generated resnet50-generated-fp16; do
  timeout "$(left)" "$app" --provider cuda --only inference --batches 1,8,32,256 --repeats 5 --budget 2 \
    --model "models/$model/manifest.json" "${common[@]}" --json "$out/inference-$model.json" > "$out/inference-$model.md" 2> "$out/inference-$model.log"
done
timeout "$(left)" "$app" --provider cuda --only decode,e2e --e2e-batch 32 --repeats 3 --budget 1 \
  --model models/resnet50-generated-fp16/manifest.json "${common[@]}" --json "$out/e2e.json" > "$out/e2e.md" 2> "$out/e2e.log"
if python3 -c 'import torch' 2>/dev/null; then
  timeout "$(left)" python3 pytorch_reference.py > "$out/pytorch.json" 2> "$out/pytorch.log"
else
  echo "torch not installed on the device; PyTorch reference skipped" > "$out/pytorch.log"
fi
ls -la "$out"
