#!/usr/bin/env python3
"""Attribute a host's perf samples to pipeline stages (bench --plumbing-profile; see docs/PERFORMANCE.md).

Usage: perf script -i RUN.perf.data -F comm,tid,ip,sym,dso | bench/profile/attribute.py --images N --cpu-ms MS

Each sample is charged to the highest-ranked stage any frame of its stack belongs to (a socket write under a table
call is the table's; async continuations run from the thread pool, so the stack names the awaiting call). The
shares are turned into core-ms per image with the host's measured CPU (from /proc) over the same window.
"""
import argparse
import re
import sys
from collections import Counter

# (stage, pattern over "symbol (dso)"), highest rank first.
STAGES = [
    ("JIT compiler (tiered compilation thread)", None),
    ("decode + preprocess", r"turbojpeg|TurboJpeg|Imaging\.|ImageSharp|SkiaSharp|libSkiaSharp"),
    ("inference + batcher", r"onnxruntime|Inference\.|Batching\."),
    ("table write (results)", r"Azure\.Data\.Tables|Results\.ResultStore"),
    ("blob download", r"Azure\.Storage\.Blobs"),
    ("queue receive/delete", r"Azure\.Storage\.Queues"),
    ("Service Bus (AMQP receive/complete)", r"Azure\.Messaging\.ServiceBus|Microsoft\.Azure\.Amqp"),
    ("WebJobs host (listener, executor, bindings)", r"Microsoft\.Azure\.WebJobs"),
    ("HTTP (System.Net.Http, no caller on stack)", r"System\.Net\.Http"),
    ("Azure.Core pipeline (no caller on stack)", r"Azure\.Core"),
    ("sockets (no caller on stack)", r"System\.Net\.Sockets|SocketAsync"),
    ("our glue (CarClassifier, outside the above)", r"CarClassifier"),
    ("GC", r"^gc_heap|WKS::gc|SVR::gc|GCHeap"),
    ("thread pool dispatch / waiting", r"System\.Threading|LowLevelLifoSemaphore|PortableThreadPool"),
]
COMPILED = [(name, re.compile(p) if p else None) for name, p in STAGES]


def samples(stream):
    comm, frames = None, []
    for line in stream:
        if not line.strip():
            if comm is not None:
                yield comm, frames
            comm, frames = None, []
        elif not line.startswith(("\t", " ")):
            comm = line.rsplit(" ", 2)[0].strip()
        else:
            parts = line.strip().split(" ", 1)
            frames.append(parts[1] if len(parts) > 1 else "")
    if comm is not None:
        yield comm, frames


def stage_of(comm, frames):
    if comm.startswith(".NET Tiered Com"):
        return STAGES[0][0]
    best = len(COMPILED)
    for frame in frames:
        for rank, (_, pattern) in enumerate(COMPILED):
            if rank >= best:
                break
            if pattern is not None and pattern.search(frame):
                best = rank
                break
    if best < len(COMPILED):
        return COMPILED[best][0]
    leaf = frames[0] if frames else ""
    if "kernel" in leaf:
        return "kernel, no managed caller named (syscalls, scheduling)"
    return "runtime / native, no managed caller named"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, required=True)
    parser.add_argument("--cpu-ms", type=float, required=True, help="host CPU (user+system) over the profiled window")
    args = parser.parse_args()
    counts = Counter(stage_of(comm, frames) for comm, frames in samples(sys.stdin))
    total = sum(counts.values())
    print(f"| stage | share of samples | core-ms per image |")
    print(f"|---|---:|---:|")
    for name, n in counts.most_common():
        print(f"| {name} | {100 * n / total:.1f} % | {args.cpu_ms * n / total / args.images:.2f} |")
    print(f"| **all ({total} samples)** | 100 % | **{args.cpu_ms / args.images:.2f}** |")


if __name__ == "__main__":
    main()
