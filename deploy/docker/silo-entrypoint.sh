#!/bin/sh
# Starts grpo-silo in a container. Other silos and clients reach a silo at the address it advertises; a container's
# address is only known once it runs (each replica of a service has its own), so it is looked up here unless
# GRPO_ADVERTISED_IP is set (Kubernetes sets it to the pod IP). exec keeps the silo as PID 1, so SIGTERM reaches it
# and the silo leaves the cluster gracefully.
set -eu
if [ -z "${GRPO_ADVERTISED_IP:-}" ]; then
  addresses="$(hostname -i)"
  GRPO_ADVERTISED_IP="${addresses%% *}"
  export GRPO_ADVERTISED_IP
fi
exec /app/grpo-silo "$@"
