# syntax=docker/dockerfile:1
#
# Recommender images. One file, three targets:
#
#   docker build --target inference     -t recommender/inference:dev .   # CPU ONNX Runtime, ~no native extras
#   docker build --target inference-gpu -t recommender/inference-gpu:dev .  # CUDA 13 + cuDNN 9 base, self-contained
#   docker build --target trainer       -t recommender/trainer:dev .     # TorchSharp + libtorch (CPU), Ubuntu 24.04
#
# The trainer's project files (src/Recommender.Jobs, src/Recommender.TrainerService) are copied in
# the trainer stage only, so the inference targets' restore layer does not change with them.
#
# Every image runs as UID/GID 1654 (the .NET images' "app" user), needs no writable root file
# system (run with --read-only and volumes for /models, /data and /tmp), listens on 50051 (gRPC,
# h2c) and 9090 (Prometheus /metrics). See docs/deploy.md.
#
# Keep in step with tests/Recommender.Deployment.Tests (ports, paths, user, entry points).

ARG DOTNET_SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble
ARG DOTNET_ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble
ARG DOTNET_ASPNET_CHISELED_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
ARG CUDA_RUNTIME_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04

# ---------------------------------------------------------------------------------------------
# Build inputs that decide the restore: props/targets, the build/ tasks they import, every
# project file and the protos (Grpc.Tools reads them at restore/build). Copied before the
# sources so that the restore layers stay cached while only .cs files change.
# ---------------------------------------------------------------------------------------------
FROM ${DOTNET_SDK_IMAGE} AS restore-inputs
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY protos/ protos/
COPY src/Recommender.Contracts/Recommender.Contracts.csproj src/Recommender.Contracts/
COPY src/Recommender.Client/Recommender.Client.csproj src/Recommender.Client/
COPY src/Recommender.Data/Recommender.Data.csproj src/Recommender.Data/
COPY src/Recommender.Models/Recommender.Models.csproj src/Recommender.Models/
COPY src/Recommender.Hosting/Recommender.Hosting.csproj src/Recommender.Hosting/
COPY src/Recommender.Serving/Recommender.Serving.csproj src/Recommender.Serving/
COPY src/Recommender.Training/Recommender.Training.csproj src/Recommender.Training/
COPY src/Recommender.InferenceService/Recommender.InferenceService.csproj src/Recommender.InferenceService/
# Empty, app-owned mount points for the runtime images (the chiseled image has no shell to mkdir).
RUN mkdir -p /rootfs/models /rootfs/data && chmod 0755 /rootfs/models /rootfs/data

# ---------------------------------------------------------------------------------------------
# Inference: restore (own layer), then publish. No TorchSharp in this graph.
# ---------------------------------------------------------------------------------------------
FROM restore-inputs AS inference-build
RUN dotnet restore src/Recommender.InferenceService/Recommender.InferenceService.csproj -r linux-x64
COPY src/ src/
# Framework-dependent for the CPU image; the CUDA and TensorRT provider libraries (~270 MB) are
# dropped from it: the CPU image runs with Inference__ExecutionProvider=Cpu.
RUN dotnet publish src/Recommender.InferenceService/Recommender.InferenceService.csproj \
        -c Release -r linux-x64 --no-restore --self-contained false -p:UseAppHost=false \
        -o /out/inference \
    && rm -f /out/inference/libonnxruntime_providers_cuda.so /out/inference/libonnxruntime_providers_tensorrt.so \
    && rm -f /out/inference/*.pdb
# Self-contained for the CUDA image (its base has no .NET); keeps the CUDA provider, drops TensorRT
# (the base image has no TensorRT libraries).
RUN dotnet publish src/Recommender.InferenceService/Recommender.InferenceService.csproj \
        -c Release -r linux-x64 --no-restore --self-contained true \
        -o /out/inference-gpu \
    && rm -f /out/inference-gpu/libonnxruntime_providers_tensorrt.so \
    && rm -f /out/inference-gpu/*.pdb

# ---------------------------------------------------------------------------------------------
# Trainer: restore (own layer; pulls libtorch, ~0.7 GB), then publish. The build's
# TorchSharpLibstdcxxFix (Directory.Build.targets -> build/) runs after publish; on this
# Ubuntu 24.04 SDK image libstdc++ already provides GLIBCXX_3.4.32, so the patch changes nothing
# that matters at run time.
# ---------------------------------------------------------------------------------------------
FROM restore-inputs AS trainer-build
COPY src/Recommender.Jobs/Recommender.Jobs.csproj src/Recommender.Jobs/
COPY src/Recommender.TrainerService/Recommender.TrainerService.csproj src/Recommender.TrainerService/
RUN dotnet restore src/Recommender.TrainerService/Recommender.TrainerService.csproj -r linux-x64
COPY src/ src/
RUN dotnet publish src/Recommender.TrainerService/Recommender.TrainerService.csproj \
        -c Release -r linux-x64 --no-restore --self-contained false -p:UseAppHost=false \
        -o /out/trainer \
    && rm -f /out/trainer/*.pdb

# ---------------------------------------------------------------------------------------------
# inference: CPU ONNX Runtime on the chiseled (distroless) ASP.NET Core image.
# ---------------------------------------------------------------------------------------------
FROM ${DOTNET_ASPNET_CHISELED_IMAGE} AS inference
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_EnableDiagnostics=0 \
    TMPDIR=/tmp \
    Inference__RepositoryPath=/models \
    Inference__ExecutionProvider=Cpu
WORKDIR /app
COPY --from=restore-inputs --chown=1654:1654 /rootfs/models /models
COPY --from=inference-build /out/inference/ /app/
USER 1654:1654
EXPOSE 50051 9090
VOLUME ["/models", "/tmp"]
ENTRYPOINT ["dotnet", "/app/Recommender.InferenceService.dll"]

# ---------------------------------------------------------------------------------------------
# inference-gpu: NVIDIA CUDA 13 + cuDNN 9 runtime (Ubuntu 24.04), self-contained .NET app.
# ONNX Runtime 1.31's CUDA provider needs libcublasLt.so.13, libcublas.so.13, libcurand.so.10,
# libcudart.so.13 and cuDNN 9: all in this base. The driver (libcuda.so.1) comes from the node
# through the NVIDIA container toolkit.
# ---------------------------------------------------------------------------------------------
FROM ${CUDA_RUNTIME_IMAGE} AS inference-gpu
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3t64 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1654 app \
    && useradd --uid 1654 --gid 1654 --no-create-home --home-dir /app --shell /usr/sbin/nologin app
ENV DOTNET_EnableDiagnostics=0 \
    TMPDIR=/tmp \
    Inference__RepositoryPath=/models \
    Inference__ExecutionProvider=Cuda
WORKDIR /app
COPY --from=restore-inputs --chown=1654:1654 /rootfs/models /models
COPY --from=inference-build /out/inference-gpu/ /app/
USER 1654:1654
EXPOSE 50051 9090
VOLUME ["/models", "/tmp"]
ENTRYPOINT ["/app/Recommender.InferenceService"]

# ---------------------------------------------------------------------------------------------
# trainer: Ubuntu 24.04 ASP.NET Core image (libstdc++ from GCC 14 satisfies TorchSharp natively).
# ---------------------------------------------------------------------------------------------
FROM ${DOTNET_ASPNET_IMAGE} AS trainer
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_EnableDiagnostics=0 \
    TMPDIR=/tmp \
    Trainer__RepositoryPath=/models \
    Trainer__DataRoot=/data
WORKDIR /app
COPY --from=restore-inputs --chown=1654:1654 /rootfs/models /models
COPY --from=restore-inputs --chown=1654:1654 /rootfs/data /data
COPY --from=trainer-build /out/trainer/ /app/
USER 1654:1654
EXPOSE 50051 9090
VOLUME ["/models", "/data", "/tmp"]
ENTRYPOINT ["dotnet", "/app/Recommender.TrainerService.dll"]
