"""Red team, third round: a policy rewarded for passing plays against the cases' syscall
filter (sandbox/syscall_filter.py) and what it leaves open: memory no meter counts,
state that outlives a case or a job, limits the meters miss, verdicts forged or broken.

Each test is one attack and asserts the secure outcome: a wrong solution earns 0 (a number,
never null), a case's resources are charged to the case, nothing of one case is there for the
next. An attack that gets through is marked xfail(strict=True) with the hole it uses
(reported in /tmp/rewardd-coord/redteam.md) until its owner closes it.

The solutions are real programs in tests/redteam_v3/; `solution("socket_storage")` is the
code block sent: that file's text.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.judge_support import assert_scored, open_judge_sandbox, stdio_cases
from tests.judge_support import grade_solution as grade

pytestmark = pytest.mark.docker

SOLUTIONS = Path(__file__).resolve().parent / "redteam_v3"


def solution(name: str) -> str:
    return (SOLUTIONS / f"{name}.py").read_text()


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    box.kind = request.param
    yield box
    box.close()


def hole_on(request, kind: str, reason: str, strict: bool = True) -> None:
    """The attack gets through on one backend only: an xfail there (strict unless it gets
    through only sometimes)."""
    if request.node.callspec.params.get("sandbox") == kind:
        request.applymarker(pytest.mark.xfail(strict=strict, reason=reason))


# --- memory no meter counts ---------------------------------------------------------------


def test_socket_buffers_used_as_storage_meet_the_case_memory_limit(sandbox):
    # HOLE 1 (redteam.md), closed in cc84361: the filter refuses raising a socket's buffers.
    # A right answer, kept with 600 MiB of socket receive queues under a 128 MiB limit.
    reference = stdio_cases(("1\n", "2\n"), memory_mb=128)
    assert_scored(grade(sandbox, solution("socket_storage"), reference), 0, 1)


# --- state that outlives a case or a job ---------------------------------------------------


# HOLE 2 (redteam.md), closed: each job has fresh pid, mount and IPC namespaces (runner.py).
@pytest.mark.parametrize(
    ("leaker", "reader", "n", "answer"),
    [
        ("inode_leaker", "inode_reader", "100000", "9592"),  # /tmp's inode numbers, mod 65536
        ("pid_leaker", "pid_reader", "8000", "1007"),  # the pid namespace's counter, mod 1024
    ],
)
def test_a_wrong_solution_cannot_read_the_answer_a_right_one_left_in_a_counter(
    sandbox, leaker, reader, n, answer
):
    # Items of one GRPO group share a problem and, in turn, the warm sandboxes. A right
    # solution runs first (once per warm sandbox of the pool, as a group's items land), then
    # a wrong one that only reads what the right one left.
    reference = stdio_cases((f"{n}\n", f"{answer}\n"))
    for _ in range(4):
        assert_scored(grade(sandbox, solution(leaker), reference), 1, 1)
    for _ in range(2):
        assert_scored(grade(sandbox, solution(reader), reference), 0, 1)


def right_then_wrong_in_fresh_pools(kind: str, leaker: str, reader: str) -> None:
    """The right solution (primes below 100000) graded in a pool of its own, closed; then the
    wrong one in a new pool: it must score 0 (the channel is the host's, not the pool's)."""
    reference = stdio_cases(("100000\n", "9592\n"))
    for name, passed in ((leaker, 1), (reader, 0)):
        box = open_judge_sandbox(kind)
        try:
            assert_scored(grade(box, solution(name), reference), passed, 1)
        finally:
            box.close()


# HOLE 5 (redteam.md), closed for this mechanism: the syscall filter makes a drop of cached
# pages (fadvise DONTNEED) do nothing and refuses the probe (preadv2 RWF_NOWAIT).
def test_a_wrong_solution_cannot_read_the_answer_a_right_one_left_in_the_page_cache(
    sandbox, request
):
    # On bubblewrap the reads alone still carry the bits where the host's pages of that file
    # were not cached before (the cold-cache test below): it gets through only then.
    hole_on(request, "bwrap", "HOLE 5 (redteam.md), what is left: see below", strict=False)
    # Not the same sandbox: the right solution's pool is closed, the wrong one's is new (a
    # fresh tmpfs, pid and IPC namespace per job would not stop it).
    # Three tries: the channel is noisy (another reader of the file, a read timed under load).
    for _ in range(3):
        right_then_wrong_in_fresh_pools(sandbox.kind, "page_cache_leaker", "page_cache_reader")


@pytest.fixture
def cold_page_cache() -> None:
    """The host's page cache emptied, as at boot or after memory pressure evicted it."""
    if os.geteuid() != 0:
        pytest.skip("needs root to drop the host's page cache")
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("1\n")


def test_a_wrong_solution_cannot_read_pages_a_right_one_cached_in_a_cold_cache(
    sandbox, request, cold_page_cache
):
    # HOLE 5 without any refused call: the right solution only reads pages (a 1) or leaves
    # them alone (a 0), the wrong one counts its major faults. Closed on Docker: each
    # container reads the image from a private tmpfs copy (sandbox/page_cache.py), whose
    # pages are all there from the start and are no other container's.
    hole_on(
        request,
        "bwrap",
        "HOLE 5 (redteam.md), what is left: bubblewrap's cases see the host's /usr (gigabytes), "
        "which no runner caches whole: a page nobody read carries a bit",
    )
    for _ in range(2):
        right_then_wrong_in_fresh_pools(
            sandbox.kind, "page_cache_cold_leaker", "page_cache_cold_reader"
        )


# HOLE 3 (redteam.md), closed: the syscall filter lets cases make Unix sockets only.
def test_tcp_loopback_buffers_used_as_storage_meet_the_case_memory_limit(sandbox):
    # A right answer, kept with 440 MiB of TCP send and receive queues under a 128 MiB limit.
    reference = stdio_cases(("1\n", "2\n"), memory_mb=128)
    assert_scored(grade(sandbox, solution("tcp_storage"), reference), 0, 1)


def test_default_socket_buffers_of_many_processes_meet_the_case_memory_limit(sandbox, request):
    # Closed on bubblewrap by each root runner's own cgroup (sandbox/host_cgroup.py), which
    # the judge's container memory counter reads as on Docker.
    reference = stdio_cases(("1\n", "2\n"), memory_mb=128)
    assert_scored(grade(sandbox, solution("unix_storage_processes"), reference), 0, 1)


# The drop itself no longer hides anything: the sandbox's figure leaves file cache out
# (procutil.ContainerMemory; measured: 22 MiB before a drop of 100 MiB of cache, 21 after).
# What is left is not strict: the attack holds about 280 MiB for a moment against a 256 MiB
# cap, and the judge's 50 ms looks catch that peak in about 2 tries of 3, with or without
# the drop (measured on Docker). Not a strict xfail, so neither outcome fails the suite.
@pytest.mark.xfail(
    strict=False,
    reason="HOLE 4 (redteam.md), what is left: a peak just over a case's memory cap, held "
    "for less than the judge's 50 ms between looks, can go unseen",
)
def test_dropping_page_cache_does_not_hide_a_cases_memory(sandbox):
    # Case 1 reads 100 MiB of the image's files (page cache, charged to the sandbox); case 2
    # drops it again, then holds 280 MiB of socket buffers under a 128 MiB limit (without the
    # drop, the same case is cut at 330-360 MiB on both backends).
    # Page cache is charged to the sandbox that first read it, so the offset is there only
    # when this sandbox's case 1 was that reader: three tries (each sandbox of the pool's).
    reference = stdio_cases(("1\n", "2\n"), ("2\n", "3\n"), memory_mb=128)
    for _ in range(3):
        score = grade(sandbox, solution("page_cache_offset"), reference)
        assert_scored(score, 1, 2)
        warm, store = score.details["cases"]
        assert warm["passed"] and not store["passed"], score.details
