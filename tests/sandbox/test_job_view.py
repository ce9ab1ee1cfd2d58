"""What a job sees of state that other jobs and other sandboxes share (sandbox/runner.py:
mask_proc, hide_cgroup, RLIMIT_MEMLOCK; the syscall filter's SO_COOKIE rule). Red team v4
carried whole answers between sandboxes through /proc/vmstat's mlock counter (HOLE 3) and
the socket-cookie counter (HOLE 4), and between jobs of one sandbox through its cgroup's
memory high-water mark (HOLE 1); tests/test_redteam_v4.py grades those end to end, this
checks what a job can reach, as a plain /v1/execute job and as a judge's case.
"""

from __future__ import annotations

import json
from pathlib import Path

from sandbox import ExecutionRequest
from tests.judge_support import grade_solution, open_docker_sandbox, stdio_cases

DATA = Path(__file__).resolve().parent.parent / "data" / "job_view"
PROBE = (DATA / "probe.py").read_text()
HIDDEN = {
    "host_counters": dict.fromkeys(
        (
            "/proc/vmstat",
            "/proc/stat",
            "/proc/zoneinfo",
            "/proc/timer_list",
            "/proc/sys/fs/file-nr",
            "/proc/sys/fs/dentry-state",
        ),
        "nothing",
    ),
    "cgroup_counters": [],
    "mlock": "EPERM",
    "socket_cookie": "ENOPROTOOPT",
    "meminfo_readable": True,  # left: honest code reads it (docs/sandbox.md)
}


def test_a_plain_job_sees_no_host_counter_no_cgroup_and_cannot_lock_memory(sandbox):
    result = sandbox.execute(ExecutionRequest(code=PROBE))
    assert (result.status, result.stderr) == ("ok", ""), result
    assert json.loads(result.stdout) == HIDDEN


def test_a_judges_case_sees_no_cgroup_although_the_judge_meters_it(sandbox):
    # The case's expected output is the hidden view: it passes only if it saw nothing. The
    # memory limit below is met by the judge's container meter, which still reads the cgroup.
    expected = json.dumps(HIDDEN, sort_keys=True) + "\n"
    score = grade_solution(sandbox, PROBE, stdio_cases(("\n", expected)))
    assert (score.value, score.error) == (1.0, None), score
    hog = "x = bytearray(300 << 20)\nprint(len(x))\n"
    over = grade_solution(sandbox, hog, stdio_cases(("\n", "314572800\n"), memory_mb=128))
    assert over.value == 0.0 and "memory" in str(over.details).lower(), over


TMPFS_MAGIC = "0x1021994"


def test_a_docker_job_reads_the_containers_own_read_only_copy_of_the_image():
    # A copy of its own: the image's inodes, pages and directories are not every container's
    # (red team v4 HOLEs 8 and 9, v3 HOLE 5: futex keys, the page cache, negative dentries).
    # A fresh pool: its containers' first jobs too (their namespaces were made ahead).
    box = open_docker_sandbox()
    try:
        for _ in range(3):
            result = box.execute(ExecutionRequest(code=(DATA / "image_trees.py").read_text()))
            assert (result.status, result.stderr) == ("ok", ""), result
            assert json.loads(result.stdout) == {
                tree: {"type": TMPFS_MAGIC, "read_only": True, "writable": False}
                for tree in ("/usr", "/etc", "/var", "/opt")
            }
    finally:
        box.close()


def test_a_job_runs_the_stdlib_from_its_cached_bytecode(sandbox):
    # Docker's jobs see the sandbox's own copy of the image's trees: a copy without the
    # originals' mtimes made every .pyc stale, and each interpreter compiled its stdlib again.
    result = sandbox.execute(ExecutionRequest(code=(DATA / "stale_bytecode.py").read_text()))
    assert (result.status, result.stderr) == ("ok", ""), result
    found = json.loads(result.stdout)
    assert found["checked"] >= 10 and found["stale"] == [], found
