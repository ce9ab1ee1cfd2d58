#!/usr/bin/env bash
# Install and start everything the test suite needs, on a fresh Debian 12 machine:
# Debian packages (Docker, Redis, bubblewrap, debootstrap), the Python packages, the Docker
# daemon and the sandbox images (built with no container registry). Idempotent and cached.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*" >&2; }

missing=()
for tool in dockerd:docker.io redis-server:redis-server bwrap:bubblewrap debootstrap:debootstrap \
    docker-compose:docker-compose; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "installing Python packages"
# torch first, pinned: the CPU build lies on this machine's disk; an open range would fetch CUDA.
python3 -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
# The trainers' own code, for tests/trainer/test_peer_*.py. openrlhf and verl pin GPU stacks that
# do not install on a CPU machine, so they come without their dependencies; the `peers` extra
# holds what their reward paths import (docs/integrations.md).
python3 -m pip install --quiet --disable-pip-version-check -e ".[dev,train,peers]"
python3 -m pip install --quiet --disable-pip-version-check --no-deps "openrlhf==0.11.2" "verl==0.9.1"

log "starting the Docker daemon"
bash scripts/start_dockerd.sh

log "building the sandbox images (offline path, cached)"
# Both: the default one and the scientific one (`image: "sci"`, about a minute more the first
# time: its wheels come from the package index through pip, the image is built with no network).
bash scripts/build_sandbox_image.sh all
