"""PyTorch reference for the GPU benchmark: ResNet-50 (torchvision architecture, random weights), fp16,
channels_last, cudnn.benchmark, inference_mode, at batch 1/8/32/256. Prints one JSON document.
Timing: 10 warm-up iterations, then the median of 5 repeats of >= 1 s each, synchronising the device.
"""
import json
import statistics
import time

import torch
import torchvision


def main():
    torch.backends.cudnn.benchmark = True
    model = torchvision.models.resnet50(weights=None).cuda().half().eval().to(memory_format=torch.channels_last)
    results = []
    with torch.inference_mode():
        for batch in (1, 8, 32, 256):
            x = torch.randn(batch, 3, 224, 224, device="cuda").half().to(memory_format=torch.channels_last)
            for _ in range(10):
                model(x)
            torch.cuda.synchronize()
            samples = []
            for _ in range(5):
                n, start = 0, time.perf_counter()
                while time.perf_counter() - start < 1.0:
                    model(x)
                    n += 1
                    if n % 10 == 0:
                        torch.cuda.synchronize()
                torch.cuda.synchronize()
                samples.append(n * batch / (time.perf_counter() - start))
            results.append({"batch": batch, "imagesPerSecond": statistics.median(samples), "min": min(samples), "max": max(samples)})
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "results": results}))


if __name__ == "__main__":
    main()
