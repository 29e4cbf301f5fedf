# syntax=docker/dockerfile:1
# Grpo.Orleans on NVIDIA GPUs: the grpo-silo image built with the CUDA switch (-p:GrpoDevice=cuda), which references
# TorchSharp-cuda-linux (libtorch with its CUDA libraries) instead of libtorch-cpu. The host needs the NVIDIA driver
# and the NVIDIA container toolkit; the toolkit mounts the driver into the container.
# Build from the repository root:
#   docker build -f deploy/docker/gpu.Dockerfile -t grpo-silo:gpu .
# Run: docker run --gpus all -e GRPO_CLUSTER=... grpo-silo:gpu --roles rollout

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first: the CUDA restore is several GB and stays cached until a project or package pin changes.
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/Grpo.Core/Grpo.Core.csproj src/Grpo.Core/
COPY src/Grpo.Abstractions/Grpo.Abstractions.csproj src/Grpo.Abstractions/
COPY src/Grpo.Configuration/Grpo.Configuration.csproj src/Grpo.Configuration/
COPY src/Grpo.Grains/Grpo.Grains.csproj src/Grpo.Grains/
COPY src/Grpo.Hosting/Grpo.Hosting.csproj src/Grpo.Hosting/
COPY silo/Grpo.Silo.csproj silo/
RUN dotnet restore silo/Grpo.Silo.csproj -p:GrpoDevice=cuda
COPY src/ src/
COPY silo/ silo/
RUN dotnet publish silo/Grpo.Silo.csproj -c Release -p:GrpoDevice=cuda --no-restore -o /out/silo

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS silo
COPY --from=build /out/silo /app
COPY --chmod=755 deploy/docker/silo-entrypoint.sh /app/silo-entrypoint.sh
RUN mkdir -p /checkpoints && chown "$APP_UID" /checkpoints
ENV GRPO_CHECKPOINT_DIR=/checkpoints \
    GRPO_SILO_PORT=11111 \
    GRPO_GATEWAY_PORT=30000 \
    GRPO_DEVICE=cuda \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
EXPOSE 11111 30000
USER $APP_UID
ENTRYPOINT ["/app/silo-entrypoint.sh"]
