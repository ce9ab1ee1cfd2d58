#!/usr/bin/env bash
# Start dockerd in the background if no daemon answers; idempotent.
# Test machines have no bridge networking and no iptables, and sandboxes use no network at all,
# so the daemon runs with --bridge=none --iptables=false.
set -euo pipefail

LOG_FILE="${DOCKERD_LOG:-/var/log/rewardd-dockerd.log}"
WAIT_S="${DOCKERD_WAIT_S:-60}"

if docker info >/dev/null 2>&1; then
  echo "dockerd already running"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "dockerd not found: apt-get install docker.io" >&2
  exit 1
fi

mkdir -p "$(dirname "$LOG_FILE")"
if ! pgrep -x dockerd >/dev/null 2>&1; then
  # setsid: the daemon must outlive the shell (and CI step) that started it.
  setsid nohup dockerd --bridge=none --iptables=false >>"$LOG_FILE" 2>&1 </dev/null &
  echo "started dockerd (pid $!), logging to $LOG_FILE"
fi

for _ in $(seq 1 "$((WAIT_S * 4))"); do
  if docker info >/dev/null 2>&1; then
    echo "dockerd ready"
    exit 0
  fi
  sleep 0.25
done
echo "dockerd did not become ready within ${WAIT_S}s; see $LOG_FILE" >&2
tail -n 20 "$LOG_FILE" >&2 || true
exit 1
