# syntax=docker/dockerfile:1
# Classifier image: the Functions app (src/CarClassifier.Functions, linux-x64) on the Functions dotnet-isolated
# .NET 10 base, plus (COMPUTE=gpu, the default) the CUDA 13 and cuDNN 9 user-space libraries that ONNX Runtime
# 1.31's CUDA execution provider loads, plus the model (manifest, labels and sha256-checked weights) baked in.
# The GPU driver comes from the serverless GPU host, not from this image (CUDA 13 needs driver r580 or newer); NVIDIA's
# forward-compatibility package (cuda-compat-13-0, first on LD_LIBRARY_PATH) lets CUDA 13 run on an older data-center host.
#
#   az acr build -r <registry> -t car-classifier:1.0.0 .                                # GPU (gpu-t4, gpu-a100)
#   az acr build -r <registry> -t car-classifier:1.0.0-cpu --build-arg COMPUTE=cpu .   # classifierCompute=cpu
#
# Build context: the repository root (see .dockerignore).

ARG MODEL_NAME=resnet50-v1-12
# gpu: CUDA 13 + cuDNN 9 libraries and the CUDA ONNX Runtime build (classifierCompute gpu-t4 / gpu-a100).
# cpu: neither, a much smaller image (classifierCompute cpu).   az acr build --build-arg COMPUTE=cpu ...
ARG COMPUTE=gpu

# ---- build: publish the Functions app for linux-x64 only, with the GPU or CPU ONNX Runtime package ----
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG COMPUTE
WORKDIR /src
# global.json is left out on purpose: it pins a feature band the SDK image may not carry.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/ src/
# models/ holds the manifests, labels and the vehicle-type map (never weights); src/models.targets copies them into the
# publish output, so without it the results API and reports lose the vehicle types.
COPY models/ models/
# -r linux-x64: without a runtime identifier the publish carries every platform's native libraries (win, osx, arm:
# ~430 MB more), which every cold start of a replica pays for. UseGpu=true selects Microsoft.ML.OnnxRuntime.Gpu.Linux.
RUN case "$COMPUTE" in \
      gpu) gpu=true ;; \
      cpu) gpu=false ;; \
      *) echo "COMPUTE must be gpu or cpu, not '$COMPUTE'" >&2; exit 1 ;; \
    esac; \
    dotnet publish src/CarClassifier.Functions/CarClassifier.Functions.csproj \
      -c Release -r linux-x64 --self-contained false -p:UseGpu=$gpu -o /app/publish; \
    dotnet publish src/CarClassifier.Worker/CarClassifier.Worker.csproj \
      -c Release -r linux-x64 --self-contained false -p:UseGpu=$gpu -o /app/worker
# (the second publish above is the Service Bus classifier: same Core, its own entry point, which
# infra/app/servicebus.bicep runs as `dotnet /app/worker/CarClassifier.Worker.dll` when transport=ServiceBus.)

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

# ---- runtime: Functions host (+ CUDA 13 / cuDNN 9 runtime libraries for COMPUTE=gpu) ----
# The tag is pinned; its distribution is read from /etc/os-release below and every name that depends on it (NVIDIA's
# repository, the libjpeg-turbo package) is chosen from that, failing the build with a clear line for anything else.
FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0 AS runtime
ARG MODEL_NAME
ARG COMPUTE
ARG CUDA_MAJOR=13
ARG CUDA_MINOR=0
# For COMPUTE=gpu only the runtime libraries ORT 1.31's CUDA provider loads: cudart, cuBLAS/cuBLASLt, cuRAND and
# cuDNN 9 (no cuFFT: the provider does not load it). Always the distribution's libjpeg-turbo, the SIMD JPEG decoder
# behind the default "turbojpeg" decoder (without it JPEGs fall back to skia, 10-40% slower per core: PERFORMANCE.md).
# Debian names it libturbojpeg0, Ubuntu libturbojpeg. The GPU driver comes from the host: CUDA 13 needs r580 or newer.
# Serverless GPU hosts run a CUDA 12.x driver ("Use GPUs with Azure Functions on Azure Container Apps"), so the image also
# carries cuda-compat-13-0: NVIDIA's CUDA 13 user-mode driver (libcuda from r580) for older kernel drivers on data-center
# GPUs such as T4 and A100 ("CUDA Compatibility: Forward Compatibility", docs.nvidia.com/deploy/cuda-compatibility).
# It installs to /usr/local/cuda-13.0/compat, which LD_LIBRARY_PATH puts first. If a host's driver is newer than the
# package, CUDA refuses the pair (CUDA_ERROR_SYSTEM_DRIVER_MISMATCH): the start-up line says so, and setting
# LD_LIBRARY_PATH without the compat folder (classifierExtraSettings) uses the host's driver instead (docs/DEPLOY.md).
RUN set -eu; \
    . /etc/os-release; \
    case "$ID" in \
      debian) repo="debian${VERSION_ID%%.*}"; turbojpeg=libturbojpeg0 ;; \
      ubuntu) repo="ubuntu$(echo "$VERSION_ID" | tr -d .)"; turbojpeg=libturbojpeg ;; \
      *) echo "unsupported base distribution '$ID' (expected debian or ubuntu): pick the package names for it" >&2; exit 1 ;; \
    esac; \
    apt-get update; \
    if [ "$COMPUTE" = gpu ]; then \
      apt-get install -y --no-install-recommends ca-certificates curl; \
      keyring="https://developer.download.nvidia.com/compute/cuda/repos/${repo}/x86_64/cuda-keyring_1.1-1_all.deb"; \
      curl -fsSL -o /tmp/cuda-keyring.deb "$keyring" \
        || { echo "NVIDIA has no CUDA repository for ${repo} (${keyring}): pin a base image on a distribution it supports" >&2; exit 1; }; \
      dpkg -i /tmp/cuda-keyring.deb; \
      rm /tmp/cuda-keyring.deb; \
      apt-get update; \
      v="${CUDA_MAJOR}-${CUDA_MINOR}"; \
      apt-get install -y --no-install-recommends \
        "cuda-cudart-${v}" "libcublas-${v}" "libcurand-${v}" "libcudnn9-cuda-${CUDA_MAJOR}" "cuda-compat-${v}"; \
      test -e "/usr/local/cuda-${CUDA_MAJOR}.${CUDA_MINOR}/compat/libcuda.so.1" \
        || { echo "cuda-compat-${v} did not install /usr/local/cuda-${CUDA_MAJOR}.${CUDA_MINOR}/compat/libcuda.so.1" >&2; exit 1; }; \
      apt-get purge -y --auto-remove curl; \
    fi; \
    apt-get install -y --no-install-recommends "$turbojpeg"; \
    rm -rf /var/lib/apt/lists/*
ENV LD_LIBRARY_PATH=/usr/local/cuda-${CUDA_MAJOR}.${CUDA_MINOR}/compat:/usr/local/cuda/lib64:/usr/local/cuda-${CUDA_MAJOR}.${CUDA_MINOR}/lib64 \
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
