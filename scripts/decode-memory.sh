#!/usr/bin/env bash
# Measures the bytes per pixel each image decoder holds, per format (issue 15, hole 6: the factors behind
# DecodeMemoryEstimate). Generates one image per format at SIDE x SIDE (default 6000), then for each decoder and file
# decodes it once in a fresh process and prints a Markdown row: peak resident set minus the resident set before
# (VmHWM after /proc/self/clear_refs), per pixel, next to the estimate. Linux only. Takes a few minutes.
# scripts/decode-memory.sh metadata: the same per-process peak for issue 21's metadata bombs (red 64x64 pictures).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
side="${1:-6000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build "$root/tools/decode-memory/DecodeMemory.csproj" -c Release --nologo -v q -o "$work/bin" >/dev/null
tool=(dotnet "$work/bin/decode-memory.dll")
if [[ "$side" == metadata ]]; then
  # Issue 21: peak memory of one decode (probe included) of each metadata bomb, one process per file and decoder.
  "${tool[@]}" gen-metadata "$work/metadata"
  echo "| decoder | file | size | peak added | - | - |"
  echo "|---|---|---|---|---|---|"
  for decoder in skia imagesharp turbojpeg; do
    for file in "$work"/metadata/*; do
      [[ "$(basename "$file")" == warm.* ]] && continue
      "${tool[@]}" "$decoder" "$file" "$work/metadata/warm.${file##*.}"
    done
  done
  exit 0
fi
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
