"""PyTorch reference for the GPU benchmark: torchvision ResNet-50 (random weights: speed does not depend on them),
channels_last, cudnn.benchmark, inference_mode. Prints one JSON document on stdout.

Two input modes per dtype and batch size, so each ONNX Runtime number has its like-for-like peer:
  device  - the batch already sits on the GPU (model speed alone; the issue's 13.8k images/s figure is this mode, fp16)
  pinned  - each batch is copied from page-locked host memory first, as our batcher's Run does
Timing: warm-up, then the median of --repeats runs of at least --seconds each, synchronising the device.

  python3 pytorch_reference.py                                       # H100: fp16+fp32, batch 1/8/32/64/256, both modes
  python3 pytorch_reference.py --device cpu --dtypes fp32 --batches 1,8 --seconds 0.5 --repeats 1   # dry run, no GPU
"""
import argparse
import json
import platform
import statistics
import sys
import time

import torch
import torchvision


def measure(model, make_input, batch, device, seconds, repeats):
    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(3 if device == "cpu" else 10):
        model(make_input())
    sync()
    samples = []
    for _ in range(repeats):
        n, start = 0, time.perf_counter()
        while True:
            model(make_input())
            n += 1
            if n % 10 == 0 or device == "cpu":
                sync()
                if time.perf_counter() - start >= seconds:
                    break
        sync()
        samples.append(n * batch / (time.perf_counter() - start))
    return {"imagesPerSecond": statistics.median(samples), "min": min(samples), "max": max(samples), "repeats": repeats}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--dtypes", default="fp16,fp32")
    parser.add_argument("--batches", default="1,8,32,64,256")
    parser.add_argument("--modes", default="device,pinned")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    device = args.device
    torch.backends.cudnn.benchmark = True
    results = []
    with torch.inference_mode():
        for dtype_name in args.dtypes.split(","):
            dtype = {"fp16": torch.float16, "fp32": torch.float32}[dtype_name]
            model = torchvision.models.resnet50(weights=None).to(device=device, dtype=dtype).eval()
            model = model.to(memory_format=torch.channels_last)
            for batch in (int(b) for b in args.batches.split(",")):
                on_device = torch.randn(batch, 3, 224, 224, device=device, dtype=dtype).to(memory_format=torch.channels_last)
                for mode in args.modes.split(","):
                    if mode == "device":
                        make_input = lambda x=on_device: x
                    elif mode == "pinned" and device == "cuda":
                        # float32 NCHW in page-locked memory, like our batch buffer; cast and relayout on the GPU.
                        host = torch.randn(batch, 3, 224, 224).pin_memory()
                        make_input = lambda h=host: h.to(device, non_blocking=True).to(dtype).contiguous(memory_format=torch.channels_last)
                    else:
                        continue
                    r = measure(model, make_input, batch, device, args.seconds, args.repeats)
                    results.append({"dtype": dtype_name, "batch": batch, "mode": mode, **r})
                    print(f"{dtype_name} batch {batch} {mode}: {r['imagesPerSecond']:.1f} images/s", file=sys.stderr)

    print(json.dumps({
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "device": torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or "cpu",
        "results": results,
    }))


if __name__ == "__main__":
    main()
