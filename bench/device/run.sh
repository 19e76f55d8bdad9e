#!/usr/bin/env bash
# On the GPU machine, from the repository root, in the call that carries the last chunk: receives it, checks the
# joined archive against publish.sh's sha256, unpacks it once under /tmp, and runs, most important first, each step
# under its own time limit, everything within ~540 s so a 600 s call returns what it has:
#   1. machine facts, and whether the CUDA provider library finds all its dependencies (ldd);
#   2. ORT inference, fp16 model, CUDA: batch 1/8/32/64/256, page-locked and pageable input;
#   3. PyTorch reference: fp16 and fp32, same batches, input on the device and copied from pinned memory;
#   4. end to end in process at batch 64 with 1 and all-core decoding (turbojpeg), fp16 model;
#   5. ORT inference, fp32 model.
# JSON, tables and logs go to $OUT (or .device/out). DRY_RUN=1 runs the same steps small, on CPU, to test the kit.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${OUT:-$root/.device/out}"
store=/tmp/carclass-device
mkdir -p "$out"
bash "$root/bench/device/receive.sh" > "$out/receive.log" 2>&1

cd "$store"
expected="$(awk '{print $1}' bench.tar.xz.sha256 2>/dev/null)"
actual="$(cat bench.tar.xz.part-* 2>/dev/null | sha256sum | awk '{print $1}')"
if [[ -z "$expected" || "$expected" != "$actual" ]]; then
  echo "archive incomplete or damaged: expected sha256 ${expected:-?}, joined parts give $actual; parts here:" >&2
  ls -la "$store" >&2
  exit 2
fi
if [[ "$(cat pkg/.sha256 2>/dev/null)" != "$expected" ]]; then
  rm -rf pkg && mkdir pkg
  cat bench.tar.xz.part-* | xz -dc -T0 | tar -C pkg -xf - || { echo "unpack failed" >&2; exit 2; }
  echo "$expected" > pkg/.sha256
fi
cd pkg
app=./app/carclass-bench
chmod +x "$app"

export LD_LIBRARY_PATH="/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:$PWD/app${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DOTNET_gcServer=0
deadline=$((SECONDS + ${BUDGET_S:-540}))
left() { local l=$((deadline - SECONDS)); echo $((l > 5 ? l : 5)); }
step() { # name, seconds at most, command...
  local name="$1" most="$2"; shift 2
  local limit; limit=$(left); (( limit > most )) && limit=$most
  echo "[$(date -u +%T)] $name (up to ${limit}s)" | tee -a "$out/steps.log"
  timeout "$limit" "$@" > "$out/$name.md" 2> "$out/$name.log"
  echo "[$(date -u +%T)] $name exit $?" | tee -a "$out/steps.log"
}

if [[ "${DRY_RUN:-0}" == 1 ]]; then
  batches=1,8; e2e_batch=8; budget=(--repeats 1 --budget 0.5); torch_args=(--device cpu --dtypes fp32 --batches 1 --seconds 0.5 --repeats 1)
else
  # 64: the most messages one Functions instance holds at once (host.json queues batchSize 32 + newBatchThreshold 32),
  # so the largest batch the deployed batcher can ever form; 256: the issue's comparison point with PyTorch.
  batches=1,8,32,64,256; e2e_batch=64; budget=(--repeats 3 --budget 2); torch_args=(--repeats 3)
fi
common=(--provider cuda --photos "$PWD/photos" --model-cache "$PWD/.models")

{ date -u; nvidia-smi; nproc; free -g; uname -a; cat /etc/os-release; ldd app/libonnxruntime_providers_cuda.so; } > "$out/machine.txt" 2>&1
step inference-fp16 200 "$app" "${common[@]}" --only inference --batches "$batches" "${budget[@]}" \
  --model models/resnet50-generated-fp16/manifest.json --json "$out/inference-fp16.json"
python=""
for candidate in python3 /usr/bin/python3; do
  "$candidate" -c 'import torch, torchvision' 2>/dev/null && { python="$candidate"; break; }
done
if [[ -n "$python" ]]; then
  step pytorch 150 "$python" pytorch_reference.py "${torch_args[@]}"
  mv "$out/pytorch.md" "$out/pytorch.json"
else
  echo "no python3 with torch and torchvision: PyTorch reference skipped" | tee -a "$out/steps.log"
fi
step e2e-fp16 150 "$app" "${common[@]}" --only e2e --batches "$e2e_batch" --e2e-batch "$e2e_batch" "${budget[@]}" \
  --model models/resnet50-generated-fp16/manifest.json --json "$out/e2e-fp16.json"
step inference-fp32 120 "$app" "${common[@]}" --only inference --batches "$batches" "${budget[@]}" \
  --model models/resnet50-generated/manifest.json --json "$out/inference-fp32.json"
ls -la "$out"
