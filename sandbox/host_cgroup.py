"""A cgroup of its own for each root bubblewrap runner, as Docker gives each container.

The judge's container counters (procutil.ContainerMemory, procutil.ContainerCpu) read the
sandbox's own cgroup: every page it is charged for, mapped or not (socket buffers, memfds,
tmpfs files, pipes), and every CPU second of every process, however short-lived. Docker's
container has one; a bubblewrap sandbox has none, so there a case could keep 600 MiB in
socket receive queues that no process's resident set shows (red team v3, HOLE 1).

The host side (root only) makes one cgroup per runner under REWARDD_PARENT in the memory and
CPU-accounting hierarchies, starts bwrap inside it (`enter`, run between fork and exec, so
everything bwrap starts is born inside), and binds the cgroup's directories read-only where
the judge looks (`bwrap_binds`). The sandbox can read its figures and change nothing.
Where cgroups cannot be made (no root, no cgroupfs, a read-only /sys), `create` returns None
and the sandbox runs as before, with the judge's per-process meter only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass
from itertools import count

log = logging.getLogger(__name__)

REWARDD_PARENT = "rewardd-bwrap"
# Where the judge's counters look inside the sandbox (procutil.ContainerMemory.LAYOUTS,
# procutil.ContainerCpu.PATHS): v1 hierarchies by controller name, or one v2 tree.
V1_CONTROLLERS = {"memory": "/sys/fs/cgroup/memory", "cpuacct": "/sys/fs/cgroup/cpuacct"}
V2_DESTINATION = "/sys/fs/cgroup"
V2_CONTROLLERS = ("memory", "cpu")
_names = count()


@dataclass(frozen=True)
class Hierarchy:
    """One mounted cgroup hierarchy: where the host has it, where the sandbox sees it."""

    mount_point: str
    destination: str


def hierarchies(mountinfo: str = "/proc/self/mountinfo") -> list[Hierarchy]:
    """The hierarchies a runner's cgroup needs: v1's memory and cpuacct when both are mounted
    (they hold the controllers then), else the v2 tree when it has memory and cpu."""
    v1: dict[str, str] = {}
    v2: str | None = None
    try:
        with open(mountinfo, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    for line in lines:
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        mount_point = fields[4]
        fstype, _source, options = line.split(" - ", 1)[1].split()[:3]
        if fstype == "cgroup":
            for controller in V1_CONTROLLERS:
                if controller in options.split(",") and controller not in v1:
                    v1[controller] = mount_point
        elif fstype == "cgroup2" and v2 is None:
            v2 = mount_point
    if set(v1) == set(V1_CONTROLLERS):
        return [Hierarchy(v1[name], V1_CONTROLLERS[name]) for name in V1_CONTROLLERS]
    if v2 is not None and set(V2_CONTROLLERS) <= set(_controllers(v2)):
        return [Hierarchy(v2, V2_DESTINATION)]
    return []


def _controllers(v2_root: str) -> list[str]:
    try:
        with open(os.path.join(v2_root, "cgroup.controllers"), encoding="ascii") as f:
            return f.read().split()
    except OSError:
        return []


class RunnerCgroup:
    """The cgroup of one bwrap runner, in each hierarchy it needs."""

    def __init__(self, directories: list[tuple[str, str]]) -> None:
        self.directories = directories  # (host path, path inside the sandbox)
        # Opened before the fork: the child between fork and exec only writes its pid.
        self._procs = [
            os.open(os.path.join(path, "cgroup.procs"), os.O_WRONLY) for path, _ in directories
        ]

    @classmethod
    def create(cls) -> RunnerCgroup | None:
        """A fresh cgroup for a runner, or None where this host cannot make one."""
        if os.geteuid() != 0:
            return None
        found = hierarchies()
        if not found:
            return None
        name = f"{os.getpid()}-{next(_names)}"
        made: list[tuple[str, str]] = []
        try:
            for hierarchy in found:
                parent = os.path.join(hierarchy.mount_point, REWARDD_PARENT)
                os.makedirs(parent, exist_ok=True)
                _remove_stale(parent)
                if hierarchy.destination == V2_DESTINATION:
                    _enable_controllers(parent)
                path = os.path.join(parent, name)
                os.mkdir(path)
                made.append((path, hierarchy.destination))
            return cls(made)
        except OSError as exc:
            log.warning("no cgroup for a bwrap runner (%s): the judge meters processes only", exc)
            for path, _ in made:
                with contextlib.suppress(OSError):
                    os.rmdir(path)
            return None

    def bwrap_binds(self) -> list[str]:
        """bwrap arguments that show the cgroup, read-only, where the judge's counters look."""
        argv: list[str] = []
        # bwrap would make the mount points' parents 0700: the judge, not root, reads them.
        for parent in ("/sys", "/sys/fs", "/sys/fs/cgroup"):
            argv += ["--perms", "0755", "--dir", parent]
        for path, destination in self.directories:
            argv += ["--ro-bind", path, destination]
        return argv

    def enter(self) -> None:
        """Move the calling process into the cgroup (run in the child, before exec)."""
        pid = b"%d" % os.getpid()
        for fd in self._procs:
            os.write(fd, pid)

    def remove(self) -> None:
        """Delete the cgroup once its processes are gone (a killed runner's take a moment)."""
        for fd in self._procs:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._procs = []
        for path, _ in self.directories:
            for _ in range(50):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:  # EBUSY: a process not yet reaped by the kernel
                    time.sleep(0.02)
            else:
                log.warning("could not remove the bwrap runner's cgroup %s", path)


def _remove_stale(parent: str) -> None:
    """Remove the empty cgroups of runners whose service process is gone (killed, not closed)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            owner = entry.name.split("-", 1)[0]
            if entry.is_dir() and owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
                with contextlib.suppress(OSError):
                    os.rmdir(entry.path)


def _enable_controllers(parent: str) -> None:
    """v2: let the parent's children have memory and cpu controllers (EBUSY-safe to repeat)."""
    with open(os.path.join(parent, "cgroup.subtree_control"), "w", encoding="ascii") as f:
        f.write(" ".join(f"+{name}" for name in V2_CONTROLLERS))
