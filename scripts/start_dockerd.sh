#!/usr/bin/env bash
# Start dockerd in the background if no daemon answers; idempotent.
# Test machines have no bridge networking and no iptables, and sandboxes use no network at all,
# so the daemon runs with --bridge=none --iptables=false.
set -euo pipefail

LOG_FILE="${DOCKERD_LOG:-/var/log/rewardd-dockerd.log}"
WAIT_S="${DOCKERD_WAIT_S:-60}"
# CPU weight of all containers together, in "host processes". With the cgroupfs driver every
# container lives under one `docker` cgroup, which by default weighs as much as ONE process
# of the host: under load, all sandbox jobs together would get the CPU share of one host
# process. Weigh the group like the sandbox pool's worth of processes instead. 0: leave it.
CPU_WEIGHT_TASKS="${REWARDD_DOCKER_CPU_WEIGHT_TASKS:-4}"

weigh_docker_cgroup() {
  [[ "$CPU_WEIGHT_TASKS" =~ ^[1-9][0-9]*$ ]] || return 0
  if [[ -d /sys/fs/cgroup/cpu && -w /sys/fs/cgroup/cpu ]]; then  # cgroup v1
    mkdir -p /sys/fs/cgroup/cpu/docker 2>/dev/null || return 0
    echo $((1024 * CPU_WEIGHT_TASKS)) >/sys/fs/cgroup/cpu/docker/cpu.shares 2>/dev/null || true
  elif [[ -f /sys/fs/cgroup/cgroup.controllers && -w /sys/fs/cgroup ]]; then  # cgroup v2
    mkdir -p /sys/fs/cgroup/docker 2>/dev/null || return 0
    echo $((100 * CPU_WEIGHT_TASKS)) >/sys/fs/cgroup/docker/cpu.weight 2>/dev/null || true
  fi
}

if docker info >/dev/null 2>&1; then
  weigh_docker_cgroup
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
    weigh_docker_cgroup
    echo "dockerd ready"
    exit 0
  fi
  sleep 0.25
done
echo "dockerd did not become ready within ${WAIT_S}s; see $LOG_FILE" >&2
tail -n 20 "$LOG_FILE" >&2 || true
exit 1
