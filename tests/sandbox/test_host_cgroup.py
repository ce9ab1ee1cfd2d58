"""Each root bubblewrap runner has a cgroup of its own, as a Docker container has, and the
judge's container counters read it: memory that no process maps counts against a case.

The hostile side is tests/test_redteam_v3.py's default-sized socket buffers of many
processes (no setsockopt for the syscall filter to refuse): without the runner's cgroup a
variant of it holding 288 MiB under a 128 MiB limit scored 1.0 on bubblewrap.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox import ExecutionRequest
from sandbox.host_cgroup import REWARDD_PARENT, Hierarchy, hierarchies
from sandbox.runner import JUDGE_ENTRY
from tests.judge_support import open_bwrap_sandbox

DATA = Path(__file__).resolve().parent.parent / "data" / "sandbox_cgroup"

V1 = [
    "30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
    "31 25 0:27 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
    "32 25 0:28 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
]


def mountinfo(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "mountinfo"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_v1_hierarchies_are_found_by_controller_and_shown_where_the_judge_looks(tmp_path):
    # A hybrid host: the controllers are v1's, the unified tree has none of them.
    assert hierarchies(mountinfo(tmp_path, V1)) == [
        Hierarchy("/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory"),
        Hierarchy("/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpuacct"),
    ]


def test_a_v2_tree_serves_only_with_memory_and_cpu_controllers(tmp_path):
    root = tmp_path / "unified"
    root.mkdir()
    line = f"40 25 0:30 / {root} rw,relatime - cgroup2 cgroup2 rw"
    (root / "cgroup.controllers").write_text("cpuset io pids\n", encoding="ascii")
    assert hierarchies(mountinfo(tmp_path, [line])) == []
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n", encoding="ascii")
    assert hierarchies(mountinfo(tmp_path, [line])) == [Hierarchy(str(root), "/sys/fs/cgroup")]


def test_no_cgroupfs_means_no_cgroup(tmp_path):
    proc = "22 1 0:20 / /proc rw,nosuid - proc proc rw"
    assert hierarchies(mountinfo(tmp_path, [proc])) == []
    assert hierarchies(str(tmp_path / "absent")) == []


def runner_cgroups() -> list[str]:
    """This process's runner cgroups left on the host, in every hierarchy."""
    mine = f"{os.getpid()}-"
    return [
        entry.path
        for hierarchy in hierarchies()
        if os.path.isdir(parent := os.path.join(hierarchy.mount_point, REWARDD_PARENT))
        for entry in os.scandir(parent)
        if entry.name.startswith(mine)
    ]


def test_a_root_runner_reads_its_own_cgroup_read_only_and_leaves_none_behind():
    if os.geteuid() != 0 or not hierarchies():
        pytest.skip("cgroups for bubblewrap runners need root and a cgroupfs")
    before = set(runner_cgroups())
    box = open_bwrap_sandbox()
    its_own: set[str] = set()
    try:
        probe = (DATA / "read_own_cgroup.py").read_text(encoding="utf-8")
        # As a judge: no other job sees the cgroup (tests/sandbox/test_job_view.py).
        result = box.execute(ExecutionRequest(code="", files={JUDGE_ENTRY: probe}, judge=True))
        assert result.status == "ok", result
        usage, cpu, write = result.stdout.split()
        assert int(usage) > 1 << 20  # the runner's python at least
        assert float(cpu) > 0
        assert write == "refused"  # read-only: the sandbox changes nothing of its cgroup
        # Other sandboxes of this test session may hold runners (and cgroups) of their own.
        its_own = set(runner_cgroups()) - before
        assert its_own, "a warm runner has its cgroup"
    finally:
        box.close()
    assert its_own.isdisjoint(runner_cgroups())
