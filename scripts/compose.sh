#!/usr/bin/env bash
# Docker Compose under whichever name this machine has: the v2 plugin (`docker compose`) or
# v1 (`docker-compose`, what Debian 12 packages). The arguments are the same for both.
# Runs from the clone, wherever it is started:  scripts/compose.sh up -d
set -euo pipefail
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then
  exec docker compose "$@"
fi
if command -v docker-compose >/dev/null 2>&1; then
  exec docker-compose "$@"
fi
cat >&2 <<'MSG'
scripts/compose.sh: Docker Compose is not installed, under either name:
  the v2 plugin `docker compose`  (Docker's repositories: apt-get install docker-compose-plugin)
  or v1 `docker-compose`          (Debian 12: apt-get install docker-compose)
MSG
exit 127
