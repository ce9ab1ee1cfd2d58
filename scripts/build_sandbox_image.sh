#!/usr/bin/env bash
# Build the sandbox images with no container registry (CI, air-gapped hosts).
#
#   scripts/build_sandbox_image.sh [all|default|sci]      (default: all)
#
# default (rewardd-sandbox:latest, the standard library only):
#   1. a Debian bookworm base made with debootstrap (minbase + python3) and `docker import`;
#   2. `docker build --network host` of sandbox/Dockerfile on that base.
# sci (rewardd-sandbox-sci:latest, `reference.image = "sci"`): the default image plus the
#   wheels of sandbox/requirements-sci.txt, downloaded on the host with `pip download` (binary
#   wheels for the image's Python, from the package index pip is configured with) into a
#   cache dir, and installed in the image with no index (sandbox/Dockerfile.sci).
#
# Cached: the base is keyed by its debootstrap recipe, each image by a hash of the files it is
# built from, this script included (label rewardd.sandbox.hash; the sci image's hash includes
# the default image's). A second run on the same machine does nothing.
#
# Env: REWARDD_SANDBOX_IMAGE (default rewardd-sandbox:latest), REWARDD_SANDBOX_SCI_IMAGE
# (rewardd-sandbox-sci:latest), SCI_WHEELS_DIR (/var/tmp/rewardd-sci-wheels: put the wheels
# there by hand on an air-gapped host), DEBIAN_MIRROR (default: the mirror apt uses here),
# DEBIAN_SUITE (bookworm), FORCE=1 to rebuild everything.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHICH="${1:-all}"
case "$WHICH" in
  all|default|sci) ;;
  -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) echo "usage: $0 [all|default|sci]" >&2; exit 2 ;;
esac
IMAGE="${REWARDD_SANDBOX_IMAGE:-rewardd-sandbox:latest}"
SCI_IMAGE="${REWARDD_SANDBOX_SCI_IMAGE:-rewardd-sandbox-sci:latest}"
SCI_WHEELS_DIR="${SCI_WHEELS_DIR:-/var/tmp/rewardd-sci-wheels}"
SUITE="${DEBIAN_SUITE:-bookworm}"
PACKAGES="python3"

apt_mirror() {
  # The first Debian archive URI apt is configured with (deb822 or one-line format).
  local uri
  uri="$(grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)"
  if [[ -z "$uri" ]]; then
    uri="$(grep -hsE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
      | grep -E '/debian/?$' | head -n1 || true)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

MIRROR="${DEBIAN_MIRROR:-$(apt_mirror)}"
BASE_KEY="$(printf '%s|%s|%s|minbase' "$SUITE" "$MIRROR" "$PACKAGES" | sha256sum | cut -c1-12)"
BASE_IMAGE="rewardd-sandbox-base:${SUITE}-${BASE_KEY}"
# runner.BAKED_FILES, in its order (docker_backend compares their sha256 with the label).
RUNNER_FILES=("$ROOT/sandbox/runner.py" "$ROOT/sandbox/procutil.py" "$ROOT/sandbox/syscall_filter.py"
  "$ROOT/sandbox/page_cache.py")
CONTENT_HASH="$(cat "$ROOT/sandbox/Dockerfile" "${RUNNER_FILES[@]}" "${BASH_SOURCE[0]}" \
  | { cat; printf '%s' "$BASE_IMAGE"; } | sha256sum | cut -c1-16)"

docker info >/dev/null 2>&1 || { echo "no Docker daemon: run scripts/start_dockerd.sh" >&2; exit 1; }

image_hash() {
  docker image inspect -f '{{ index .Config.Labels "rewardd.sandbox.hash" }}' "$1" 2>/dev/null || true
}

build_default() {
if [[ "${FORCE:-0}" != 1 && "$(image_hash "$IMAGE")" == "$CONTENT_HASH" ]]; then
  echo "$IMAGE is up to date (hash $CONTENT_HASH)"
  return 0
fi

if [[ "${FORCE:-0}" == 1 ]] || ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install debootstrap" >&2; exit 1; }
  work="$(mktemp -d /var/tmp/rewardd-base.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
  echo "debootstrap $SUITE from $MIRROR (takes a few minutes)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$work/rootfs" "$MIRROR"
  # Smaller image, and nothing in it that is only useful for installing more.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
    "$work/rootfs/usr/share/doc/"* "$work/rootfs/usr/share/man/"*
  tar --numeric-owner -C "$work/rootfs" -c . \
    | docker import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE"
  rm -rf "$work"
  trap - EXIT
fi

docker build --network host \
  --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  --label "rewardd.sandbox.hash=$CONTENT_HASH" \
  --label "rewardd.sandbox.runner=$(cat "${RUNNER_FILES[@]}" | sha256sum | cut -d' ' -f1)" \
  -t "$IMAGE" "$ROOT/sandbox"
echo "built $IMAGE (hash $CONTENT_HASH) on $BASE_IMAGE"
}

build_sci() {
  local requirements="$ROOT/sandbox/requirements-sci.txt" dockerfile="$ROOT/sandbox/Dockerfile.sci"
  local sci_hash
  sci_hash="$(cat "$dockerfile" "$requirements" "${BASH_SOURCE[0]}" \
    | { cat; printf '%s' "$(image_hash "$IMAGE")"; } | sha256sum | cut -c1-16)"
  if [[ "${FORCE:-0}" != 1 && "$(image_hash "$SCI_IMAGE")" == "$sci_hash" ]]; then
    echo "$SCI_IMAGE is up to date (hash $sci_hash)"
    return 0
  fi
  local started=$SECONDS py
  # Wheels for the image's own Python, whatever runs this script.
  py="$(docker run --rm --network none --entrypoint python3 "$IMAGE" \
    -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  mkdir -p "$SCI_WHEELS_DIR"
  echo "pip download: the wheels of $(basename "$requirements") for Python $py into $SCI_WHEELS_DIR"
  python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
    --implementation cp --python-version "$py" \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux_2_28_x86_64 \
    --dest "$SCI_WHEELS_DIR" -r "$requirements" pip
  # Global, not local: the EXIT trap runs after this function has returned.
  context="$(mktemp -d /var/tmp/rewardd-sci-context.XXXXXX)"
  trap 'rm -rf "$context"' EXIT
  mkdir "$context/wheels"
  cp "$dockerfile" "$context/Dockerfile"
  cp "$requirements" "$context/requirements-sci.txt"
  # Hard links where the filesystem allows: the context is sent to the daemon anyway.
  cp -l "$SCI_WHEELS_DIR"/*.whl "$context/wheels/" 2>/dev/null || cp "$SCI_WHEELS_DIR"/*.whl "$context/wheels/"
  docker build --network none --build-arg "BASE_IMAGE=$IMAGE" \
    --label "rewardd.sandbox.hash=$sci_hash" -t "$SCI_IMAGE" "$context"
  echo "built $SCI_IMAGE (hash $sci_hash) on $IMAGE in $((SECONDS - started)) s"
}

if [[ "$WHICH" != sci ]]; then build_default; fi
if [[ "$WHICH" != default ]]; then
  docker image inspect "$IMAGE" >/dev/null 2>&1 || { echo "$IMAGE missing: build it first ($0 default)" >&2; exit 1; }
  build_sci
fi
