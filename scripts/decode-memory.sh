#!/usr/bin/env bash
# Measures the bytes per pixel each image decoder holds, per format (issue 15, hole 6: the factors behind
# DecodeMemoryEstimate). Generates one image per format at SIDE x SIDE (default 6000), then for each decoder and file
# decodes it once in a fresh process and prints a Markdown row: peak resident set minus the resident set before
# (VmHWM after /proc/self/clear_refs), per pixel, next to the estimate. Linux only. Takes a few minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
side="${1:-6000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build "$root/tools/decode-memory/DecodeMemory.csproj" -c Release --nologo -v q -o "$work/bin" >/dev/null
tool=(dotnet "$work/bin/decode-memory.dll")
"${tool[@]}" gen "$work/images" "$side"
"${tool[@]}" gen "$work/warm" 64
echo "| decoder | file | size | peak added | bytes/pixel measured | bytes/pixel estimated |"
echo "|---|---|---|---|---|---|"
for decoder in skia imagesharp turbojpeg; do
  for file in "$work"/images/*; do
    # turbojpeg differs from skia only for JPEG.
    [[ "$decoder" == turbojpeg && "$file" != *.jpg ]] && continue
    "${tool[@]}" "$decoder" "$file" "$work/warm/$(basename "$file")"
  done
done
