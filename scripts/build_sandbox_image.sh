#!/usr/bin/env bash
# Build the sandbox image with no container registry (CI, air-gapped hosts).
#
#   1. a Debian bookworm base made with debootstrap (minbase + python3) and `docker import`;
#   2. `docker build --network host` of sandbox/Dockerfile on that base.
#
# Cached: the base is keyed by its debootstrap recipe, the image by a hash of the files it is
# built from, this script included (label rewardd.sandbox.hash). A second run on the same
# machine does nothing.
#
# Env: REWARDD_SANDBOX_IMAGE (default rewardd-sandbox:latest), DEBIAN_MIRROR (default: the mirror
# apt uses here), DEBIAN_SUITE (bookworm), FORCE=1 to rebuild both.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${REWARDD_SANDBOX_IMAGE:-rewardd-sandbox:latest}"
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
RUNNER_FILES=("$ROOT/sandbox/runner.py" "$ROOT/sandbox/procutil.py")
CONTENT_HASH="$(cat "$ROOT/sandbox/Dockerfile" "${RUNNER_FILES[@]}" "${BASH_SOURCE[0]}" \
  | { cat; printf '%s' "$BASE_IMAGE"; } | sha256sum | cut -c1-16)"

docker info >/dev/null 2>&1 || { echo "no Docker daemon: run scripts/start_dockerd.sh" >&2; exit 1; }

current_hash="$(docker image inspect -f '{{ index .Config.Labels "rewardd.sandbox.hash" }}' \
  "$IMAGE" 2>/dev/null || true)"
if [[ "${FORCE:-0}" != 1 && "$current_hash" == "$CONTENT_HASH" ]]; then
  echo "$IMAGE is up to date (hash $CONTENT_HASH)"
  exit 0
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
