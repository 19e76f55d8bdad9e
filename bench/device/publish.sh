#!/usr/bin/env bash
# Publishes the benchmark self-contained for linux-x64 against the CUDA ONNX Runtime package and splits it into
# chunks under 60 MiB (the device transfer limit) in .device/bench/. Run on a machine with NuGet access.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out=.device/bench
rm -rf "$out" && mkdir -p "$out/pkg"

dotnet publish bench/CarClassifier.Bench -c Release -r linux-x64 --self-contained true -p:UseGpu=true \
  -p:PublishSingleFile=false -o "$out/pkg/app" --nologo -v q
cp -r models "$out/pkg/models"
mkdir -p "$out/pkg/photos"
for f in car_jetson_peds_1.jpg scene_jetson_peds_0.jpg car_mlnet_Tahoe.jpg other_mlnet_coffeepot2.jpg \
         car_paddledet_car.jpg other_paddleclas_blured_demo.jpg scene_mlnet_Intersection-Counts.jpg other_triton_mug.jpg; do
  cp "../shared/testdata/photos/$f" "$out/pkg/photos/"
done
cp bench/device/pytorch_reference.py "$out/pkg/"

tar -C "$out/pkg" -czf "$out/bench.tar.gz" .
split -b 55m -d "$out/bench.tar.gz" "$out/bench.tar.gz.part-"
rm -rf "$out/pkg" "$out/bench.tar.gz"
ls -la "$out"
echo "Carry .device/bench to the device (e.g. run(carry=[\".device/bench\"])) and run bench/device/run.sh there."
