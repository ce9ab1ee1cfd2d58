#!/usr/bin/env bash
# Build every image of the compose stack with no container registry (CI, air-gapped hosts):
#
#   1. the sandbox image and its debootstrap base: scripts/build_sandbox_image.sh;
#   2. a wheelhouse: the Python packages of pyproject.toml as wheels, resolved by the base's own
#      python3 in a throwaway container (cached, keyed by pyproject.toml and the base);
#   3. rewardd:latest (api and worker) from ./Dockerfile on that same base, with no network:
#      pip installs from the wheelhouse only;
#   4. rewardd-redis:latest from docker/redis.Dockerfile on that base (Debian's redis-server).
#
# Then `docker compose up` uses these images as they are (it builds only missing images).
# An air-gapped cluster runs this where the package mirrors are and moves the images with
# `docker save | docker load` (docs/deploy.md).
#
# Env: REWARDD_IMAGE (rewardd:latest), REWARDD_REDIS_IMAGE (rewardd-redis:latest),
# REWARDD_SANDBOX_IMAGE (rewardd-sandbox:latest), REWARDD_BASE_IMAGE (default: the sandbox's
# debootstrap base), REWARDD_WHEEL_CACHE (/var/tmp/rewardd-wheels), REWARDD_CA_BUNDLE (the
# host's CA bundle, for pip's HTTPS inside the wheel download container).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${REWARDD_IMAGE:-rewardd:latest}"
REDIS_IMAGE="${REWARDD_REDIS_IMAGE:-rewardd-redis:latest}"
SANDBOX_IMAGE="${REWARDD_SANDBOX_IMAGE:-rewardd-sandbox:latest}"
WHEEL_CACHE="${REWARDD_WHEEL_CACHE:-/var/tmp/rewardd-wheels}"

log() { printf '== %s\n' "$*" >&2; }

docker info >/dev/null 2>&1 || { echo "no Docker daemon: run scripts/start_dockerd.sh" >&2; exit 1; }

# One build at a time on this host: two would fight over the wheel cache.
mkdir -p "$WHEEL_CACHE"
exec 9>"$WHEEL_CACHE/.lock"
flock 9

# 1. The sandbox image, and with it the debootstrap base that every image here is built on.
REWARDD_SANDBOX_IMAGE="$SANDBOX_IMAGE" bash "$ROOT/scripts/build_sandbox_image.sh"

sandbox_base() {
  # The base the sandbox image was built on: its label if it has one, else the
  # rewardd-sandbox-base image whose single (imported) layer the sandbox image starts with.
  local label first candidate
  label="$(docker image inspect -f '{{ index .Config.Labels "rewardd.base.image" }}' \
    "$SANDBOX_IMAGE" 2>/dev/null || true)"
  if [[ -n "$label" && "$label" != "<no value>" ]]; then
    echo "$label"
    return
  fi
  first="$(docker image inspect -f '{{ index .RootFS.Layers 0 }}' "$SANDBOX_IMAGE")"
  for candidate in $(docker image ls rewardd-sandbox-base --format '{{.Repository}}:{{.Tag}}'); do
    if [[ "$(docker image inspect -f '{{ index .RootFS.Layers 0 }}' "$candidate")" == "$first" ]]; then
      echo "$candidate"
      return
    fi
  done
  echo "cannot tell which base $SANDBOX_IMAGE was built on: set REWARDD_BASE_IMAGE" >&2
  return 1
}
BASE_IMAGE="${REWARDD_BASE_IMAGE:-$(sandbox_base)}"
log "base image: $BASE_IMAGE"

# 2. The wheelhouse: wheels resolved by the base's own python3 (markers such as
# python_full_version < "3.11.3" must see its exact version, which `pip download
# --python-version` does not give them), in a throwaway container of the base on the host's
# network. It trusts the host's CA bundle, since the image's own store does not know the CAs
# this host trusts. pip itself comes in as a wheel first: the base's python3 has no pip.
CA_BUNDLE="${REWARDD_CA_BUNDLE:-${PIP_CERT:-$(python3 -c 'import ssl; print(ssl.get_default_verify_paths().cafile or "")')}}"
[[ -f "$CA_BUNDLE" ]] || { echo "no CA bundle found: set REWARDD_CA_BUNDLE" >&2; exit 1; }
KEY="$({ cat "$ROOT/pyproject.toml"; docker image inspect -f '{{.Id}}' "$BASE_IMAGE"; } \
  | sha256sum | cut -c1-16)"
WHEELS="$WHEEL_CACHE/$KEY"
if [[ ! -f "$WHEELS/.complete" ]]; then
  log "downloading wheels into $WHEELS"
  rm -rf "$WHEELS"
  mkdir -p "$WHEELS"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$WHEELS" pip
  docker run --rm --network host --user "$(id -u):$(id -g)" \
    -v "$ROOT/pyproject.toml:/src/pyproject.toml:ro" -v "$WHEELS:/wheels" \
    -v "$CA_BUNDLE:/etc/ssl/certs/host-ca.crt:ro" -e PIP_CERT=/etc/ssl/certs/host-ca.crt \
    -e HOME=/tmp --entrypoint sh "$BASE_IMAGE" -c '
      set -e
      python3 -c "import tomllib; print(\"\n\".join(tomllib.load(open(\"/src/pyproject.toml\", \"rb\"))[\"project\"][\"dependencies\"]))" > /tmp/requirements.txt
      python3 "$(ls /wheels/pip-*.whl)/pip" download --quiet --disable-pip-version-check \
        --no-cache-dir --only-binary=:all: --dest /wheels -r /tmp/requirements.txt'
  touch "$WHEELS/.complete"
  # Older wheelhouses are dead weight once pyproject.toml or the base has changed.
  find "$WHEEL_CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$KEY" -exec rm -rf {} +
fi

# 3. rewardd:latest. The context is a tar stream of exactly what the Dockerfile copies, plus the
# wheelhouse, so the wheels never enter the work tree and Docker's layer cache does the rest.
log "building $IMAGE"
tar --create --file - --exclude '__pycache__' --exclude '*.pyc' \
  -C "$ROOT" Dockerfile pyproject.toml rewardd sandbox docker/entrypoint.sh \
  --transform "s,^${WHEELS#/},wheelhouse," -C / "${WHEELS#/}" \
  | docker build --network none --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE" -

# 4. Redis from Debian's package (apt over the host network: the mirror is plain HTTP and signed).
log "building $REDIS_IMAGE"
docker build --network host --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  -t "$REDIS_IMAGE" -f "$ROOT/docker/redis.Dockerfile" "$ROOT/docker"

log "images ready: $IMAGE $REDIS_IMAGE $SANDBOX_IMAGE"
