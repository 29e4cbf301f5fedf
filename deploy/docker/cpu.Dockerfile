# syntax=docker/dockerfile:1
# Grpo.Orleans on CPU: the grpo-silo image (default target "silo") and the grpo client image (target "client").
# Build from the repository root:
#   docker build -f deploy/docker/cpu.Dockerfile -t grpo-silo:cpu .
#   docker build -f deploy/docker/cpu.Dockerfile --target client -t grpo-client .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first: the restore (libtorch is about 1 GB) is then cached until a project or package pin changes.
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/Grpo.Core/Grpo.Core.csproj src/Grpo.Core/
COPY src/Grpo.Abstractions/Grpo.Abstractions.csproj src/Grpo.Abstractions/
COPY src/Grpo.Configuration/Grpo.Configuration.csproj src/Grpo.Configuration/
COPY src/Grpo.Grains/Grpo.Grains.csproj src/Grpo.Grains/
COPY src/Grpo.Hosting/Grpo.Hosting.csproj src/Grpo.Hosting/
COPY silo/Grpo.Silo.csproj silo/
COPY client/Grpo.Client.csproj client/
RUN dotnet restore silo/Grpo.Silo.csproj -p:GrpoDevice=cpu \
 && dotnet restore client/Grpo.Client.csproj -p:GrpoDevice=cpu
COPY src/ src/
COPY silo/ silo/
COPY client/ client/
RUN dotnet publish silo/Grpo.Silo.csproj -c Release -p:GrpoDevice=cpu --no-restore -o /out/silo \
 && dotnet publish client/Grpo.Client.csproj -c Release -p:GrpoDevice=cpu --no-restore -o /out/client

# The client: grpo submit/watch/status/stop against GRPO_CLUSTER; run folders are written under /work/runs.
FROM mcr.microsoft.com/dotnet/runtime:10.0 AS client
# fontconfig lets the chart library draw chart.png; without it the client still writes every other file.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libfontconfig1 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /work/runs && chown -R "$APP_UID" /work
COPY --from=build /out/client /app
WORKDIR /work
USER $APP_UID
ENTRYPOINT ["/app/grpo"]
CMD ["--help"]

# The silo. Settings come as GRPO_ variables or arguments (grpo-silo --help); the entrypoint advertises the
# container's own address unless GRPO_ADVERTISED_IP is set.
FROM mcr.microsoft.com/dotnet/runtime:10.0 AS silo
COPY --from=build /out/silo /app
COPY --chmod=755 deploy/docker/silo-entrypoint.sh /app/silo-entrypoint.sh
# Created here and owned by the app user, so an empty volume mounted on it starts out writable for the silo.
RUN mkdir -p /checkpoints && chown "$APP_UID" /checkpoints
ENV GRPO_CHECKPOINT_DIR=/checkpoints \
    GRPO_SILO_PORT=11111 \
    GRPO_GATEWAY_PORT=30000 \
    GRPO_DEVICE=cpu
EXPOSE 11111 30000
USER $APP_UID
ENTRYPOINT ["/app/silo-entrypoint.sh"]
