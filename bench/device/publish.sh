#!/usr/bin/env bash
# Publishes the benchmark self-contained for linux-x64 against the CUDA ONNX Runtime package, with the models'
# manifests, a few photos, the PyTorch reference and this machine's libturbojpeg (the device has no network to
# install it), packs it with xz and splits it into chunks under 60 MiB (the device transfer limit) in .device/bench/.
# Run on a machine with NuGet access. Prints the device calls to make, in order.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out=.device/bench
rm -rf "$out" && mkdir -p "$out/pkg"

dotnet publish bench/CarClassifier.Bench -c Release -r linux-x64 --self-contained true -p:UseGpu=true \
  -p:PublishSingleFile=false -o "$out/pkg/app" --nologo -v q
# The default decoder's library: loaded from the app folder before the system's (NativeLibrary search order).
scripts/deps.sh
cache="$(PATH="$PATH:/sbin" ldconfig -p)"   # not piped: awk's early exit would SIGPIPE ldconfig under pipefail
turbo="$(awk '/libturbojpeg\.so\.0 .*x86-64/ {print $NF; exit}' <<< "$cache")"
[[ -n "$turbo" ]] && cp -L "$turbo" "$out/pkg/app/libturbojpeg.so.0"
cp -r models "$out/pkg/models"
mkdir -p "$out/pkg/photos"
# The bench's photo classes (bench/CarClassifier.Bench/PhotoSet.cs): from ../shared/testdata/photos when it is beside
# the checkout, else the repository's samples/images (the bench picks its sample classes from what it finds).
if [[ -d ../shared/testdata/photos ]]; then
  for f in car_jetson_peds_1.jpg scene_jetson_peds_0.jpg car_mlnet_Tahoe.jpg other_mlnet_coffeepot2.jpg \
           car_paddledet_car.jpg other_paddleclas_blured_demo.jpg scene_mlnet_Intersection-Counts.jpg other_triton_mug.jpg; do
    cp "../shared/testdata/photos/$f" "$out/pkg/photos/"
  done
else
  echo "publish.sh: no ../shared/testdata/photos; packing samples/images (numbers not comparable with the documented ones)" >&2
  for f in car_jetson_peds_1.jpg car_mlnet_Tahoe.jpg car_mlnet_image1.jpg scene_ort_horse-cart.jpg scene_udacity_test1.jpg; do
    cp "samples/images/$f" "$out/pkg/photos/"
  done
fi
cp bench/device/pytorch_reference.py "$out/pkg/"

# xz: 20% smaller than gzip on the 271 MB CUDA provider library, which is one chunk (one device call) fewer.
tar -C "$out/pkg" -cf - . | xz -T0 -6 > "$out/bench.tar.xz"
(cd "$out" && sha256sum bench.tar.xz > bench.tar.xz.sha256)
split -b 59m -d "$out/bench.tar.xz" "$out/bench.tar.xz.part-"
rm -rf "$out/pkg" "$out/bench.tar.xz"
ls -la "$out"

parts=("$out"/bench.tar.xz.part-*)
echo
echo "Device calls, in quick succession (the machine forgets /tmp once idle ~30 s):"
for i in "${!parts[@]}"; do
  command="bash bench/device/receive.sh"
  [[ $i -eq $((${#parts[@]} - 1)) ]] && command="bash bench/device/run.sh"
  echo "  run(command=\"$command\", carry=[\"${parts[$i]}\", \"$out/bench.tar.xz.sha256\"], timeout_s=$([[ $command == *run.sh ]] && echo 600 || echo 120))"
done
