"""Peer benchmark: Pillow decoding + preprocessing the same files the same way as our decoders.

Usage: python3 pillow_bench.py SPEC.json   (written by carclass-bench; prints one JSON document on stdout)
SPEC: {"classes": {"640x480": [paths...], ...}, "warmup": s, "budget": s, "repeats": n,
       "short": 256, "crop": 224, "oversample": 2.0}

The recipe is torchvision's (Resize(256) bilinear with antialiasing, CenterCrop(224), ToTensor, Normalize), the
same as tests/CarClassifier.Core.Tests/Imaging/pillow_reference.py, ending in a float32 NCHW numpy array
(numpy does the normalisation, as torchvision's tensors would; falls back to the array module without numpy).
Variants:
  pillow        full-size decode
  pillow-draft  Image.draft("RGB", size) first: libjpeg DCT scaling by 1/2, 1/4 or 1/8, keeping the shorter side
                at least `oversample` x 256 - the same rule as SkiaDecoder.MinimumOversample, so both do equal work.
Single thread (Pillow's decoder and resize are single-threaded), so the numbers are images/s per core.
"""
import io
import json
import statistics
import sys
import time

import PIL
from PIL import Image, ImageOps

try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy is optional
    np = None

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
BILINEAR = getattr(Image, "Resampling", Image).BILINEAR


def preprocess(data, short, crop, draft_min):
    img = Image.open(io.BytesIO(data))
    if draft_min:
        w, h = img.size
        # draft keeps both sides >= the requested size; ask for the scale that keeps the shorter side >= draft_min.
        scale = draft_min / min(w, h)
        img.draft("RGB", (max(1, int(w * scale + 0.999)), max(1, int(h * scale + 0.999))))
    img = ImageOps.exif_transpose(img).convert("RGB")
    w, h = img.size
    size = (short, int(short * h / w)) if w <= h else (int(short * w / h), short)
    img = img.resize(size, BILINEAR)
    w, h = img.size
    left = int(round((w - crop) / 2.0))
    top = int(round((h - crop) / 2.0))
    img = img.crop((left, top, left + crop, top + crop))
    if np is not None:
        a = np.asarray(img, dtype=np.float32) * (1.0 / 255.0)
        a = (a - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
        return np.ascontiguousarray(a.transpose(2, 0, 1))
    import array
    out = array.array("f")
    for c in range(3):
        out.extend(((v / 255.0) - MEAN[c]) / STD[c] for v in img.getchannel(c).tobytes())
    return out


def rate(files, warmup, budget, repeats, min_calls, **kw):
    end = time.perf_counter() + warmup
    i = 0
    while True:
        preprocess(files[i % len(files)], **kw)
        i += 1
        if time.perf_counter() >= end:
            break
    samples = []
    for _ in range(repeats):
        n = 0
        start = time.perf_counter()
        end = start + budget
        while True:
            preprocess(files[n % len(files)], **kw)
            n += 1
            now = time.perf_counter()
            if now >= end and n >= min_calls:
                break
        samples.append(n / (now - start))
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "repeats": len(samples)}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    short, crop = spec.get("short", 256), spec.get("crop", 224)
    draft_min = short * spec.get("oversample", 2.0)
    results = []
    for name, paths in spec["classes"].items():
        files = [open(p, "rb").read() for p in paths]
        for variant, dmin in (("pillow", 0), ("pillow-draft", draft_min)):
            r = rate(files, spec["warmup"], spec["budget"], spec["repeats"], spec.get("minCalls", len(files)), short=short, crop=crop, draft_min=dmin)
            results.append({"case": name, "variant": variant, **r})
    print(json.dumps({"pillow": PIL.__version__, "numpy": np.__version__ if np is not None else None, "results": results}))


if __name__ == "__main__":
    main()
