# syntax=docker/dockerfile:1
# Classifier image: the Functions app (src/CarClassifier.Functions) on the Functions dotnet-isolated
# .NET 10 base, plus the CUDA 13 and cuDNN 9 user-space libraries that ONNX Runtime 1.31's CUDA
# execution provider loads, plus the model (manifest, labels and sha256-checked weights) baked in.
# The GPU driver comes from the serverless GPU host, not from this image.
#
#   az acr build -r <registry> -t car-classifier:1.0.0 .          # or: docker build -t ... .
#
# Build context: the repository root (see .dockerignore).

ARG MODEL_NAME=resnet50-v1-12

# ---- build: publish the Functions app with the GPU ONNX Runtime package ----
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# global.json is left out on purpose: it pins a feature band the SDK image may not carry.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/ src/
# UseGpu=true makes the project reference Microsoft.ML.OnnxRuntime.Gpu.Linux instead of the CPU package.
RUN dotnet publish src/CarClassifier.Functions/CarClassifier.Functions.csproj \
      -c Release -p:UseGpu=true -o /app/publish
# The Service Bus classifier (transport=ServiceBus): same Core, its own entry point, run by infra/app/servicebus.bicep
# as `dotnet /app/worker/CarClassifier.Worker.dll`.
RUN dotnet publish src/CarClassifier.Worker/CarClassifier.Worker.csproj \
      -c Release -p:UseGpu=true -o /app/worker

# ---- model: fetch the weights the manifest pins, and refuse them unless the sha256 matches ----
FROM debian:bookworm-slim AS model
ARG MODEL_NAME
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl jq \
 && rm -rf /var/lib/apt/lists/*
COPY models/${MODEL_NAME}/ /models/${MODEL_NAME}/
WORKDIR /models/${MODEL_NAME}
RUN set -eu; \
    url="$(jq -er '.source.url' manifest.json)" \
      || { echo "manifest.json has no source.url: generated models cannot be baked in" >&2; exit 1; }; \
    file="$(jq -er '.file' manifest.json)"; \
    sha="$(jq -er '.sha256' manifest.json)"; \
    curl -fsSL --retry 3 -o "$file" "$url"; \
    echo "$sha  $file" | sha256sum -c -

# ---- runtime: Functions host + CUDA 13 / cuDNN 9 runtime libraries ----
FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0 AS runtime
ARG MODEL_NAME
ARG CUDA_MAJOR=13
ARG CUDA_MINOR=0
# NVIDIA's apt repository matching the base image's distribution (Debian or Ubuntu), then only the
# runtime libraries ORT's CUDA EP needs: cudart, cuBLAS/cuBLASLt, cuFFT, cuRAND and cuDNN 9 for CUDA 13;
# and the distribution's libturbojpeg0, the SIMD JPEG decoder behind the default "turbojpeg" decoder
# (without it JPEG decoding falls back to skia, 10-40% slower per core: docs/PERFORMANCE.md).
RUN set -eu; \
    . /etc/os-release; \
    case "$ID" in \
      debian) repo="debian${VERSION_ID%%.*}" ;; \
      ubuntu) repo="ubuntu$(echo "$VERSION_ID" | tr -d .)" ;; \
      *) echo "unsupported base distribution: $ID" >&2; exit 1 ;; \
    esac; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl; \
    curl -fsSL -o /tmp/cuda-keyring.deb \
      "https://developer.download.nvidia.com/compute/cuda/repos/${repo}/x86_64/cuda-keyring_1.1-1_all.deb"; \
    dpkg -i /tmp/cuda-keyring.deb; \
    rm /tmp/cuda-keyring.deb; \
    apt-get update; \
    v="${CUDA_MAJOR}-${CUDA_MINOR}"; \
    apt-get install -y --no-install-recommends \
      "cuda-cudart-${v}" "libcublas-${v}" "libcufft-${v}" "libcurand-${v}" \
      "libcudnn9-cuda-${CUDA_MAJOR}" libturbojpeg0; \
    apt-get purge -y --auto-remove curl; \
    rm -rf /var/lib/apt/lists/*
ENV LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda-${CUDA_MAJOR}.${CUDA_MINOR}/lib64 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    AzureWebJobsScriptRoot=/home/site/wwwroot \
    Classifier__ModelCacheDirectory=/models/${MODEL_NAME} \
    Classifier__AllowModelDownload=false \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true
COPY --from=model /models/ /models/
COPY --from=build /app/publish /home/site/wwwroot
COPY --from=build /app/worker /app/worker
# The Functions host listens on port 80 (the container app's ingress targetPort).
EXPOSE 80
