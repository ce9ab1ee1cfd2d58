"""Red team, fourth round: a policy rewarded for passing plays against what outlives a job or
a case in a warm sandbox, what a case can see of the judge's processes and counters, how
values and outputs are compared, and what the judge's CPU figures charge.

Each test is one attack and asserts the secure outcome: a wrong solution earns 0 (a number,
never null), a limit holds, nothing of one job or case is there for the next. An attack that
gets through is marked xfail(strict=True) with the hole it uses (reported in
/tmp/rewardd-coord/redteam.md, this round's numbers) until its owner closes it.

The solutions are real programs in tests/redteam_v4/; `solution("cgroup_peak_leaker")` is
the code block sent: that file's text.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.judge_support import assert_scored, open_judge_sandbox, stdio_cases
from tests.judge_support import grade_solution as grade

pytestmark = pytest.mark.docker

SOLUTIONS = Path(__file__).resolve().parent / "redteam_v4"


def solution(name: str) -> str:
    return (SOLUTIONS / f"{name}.py").read_text()


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    box.kind = request.param
    yield box
    box.close()


# --- state that outlives a job --------------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="HOLE 1 (redteam.md): the sandbox cgroup's memory high-water mark "
    "(memory.max_usage_in_bytes) is readable by every case and outlives each job",
)
def test_a_wrong_solution_cannot_read_an_answer_left_in_the_memory_high_water_mark(sandbox):
    # Items of one GRPO group share a problem and, in turn, the warm sandboxes: the right
    # solution runs once per warm sandbox of the pool, then a wrong one that only reads.
    # The answer is π(100000) mod 64: the channel carries 6 bits per sandbox.
    reference = stdio_cases(("100000\n", "56\n"))
    for _ in range(4):
        assert_scored(grade(sandbox, solution("cgroup_peak_leaker"), reference), 1, 1)
    for _ in range(2):
        assert_scored(grade(sandbox, solution("cgroup_peak_reader"), reference), 0, 1)


def test_a_wrong_solution_cannot_read_an_answer_left_as_an_abstract_socket_name(sandbox):
    # Closed: the names live in the sandbox's network namespace, which outlives the job, but a
    # socket kept alive only in flight (a cycle of SCM_RIGHTS) is freed by the kernel's
    # garbage collector, and the child holding them dies with the case's uid.
    reference = stdio_cases(("100000\n", "56\n"))
    for _ in range(3):
        assert_scored(grade(sandbox, solution("abstract_socket_leaker"), reference), 1, 1)
    for _ in range(2):
        assert_scored(grade(sandbox, solution("abstract_socket_reader"), reference), 0, 1)


# --- what a case can see of the judge's processes ------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        stdio_cases(("1\n", "rt-secret-5ea7c0de\n")),  # the judge holds the expected output
        {"tests": 'def test_secret():\n    assert secret() == "rt-secret-5ea7c0de"\n'},
    ],
    ids=["judge", "tester"],
)
def test_the_expected_answer_cannot_be_read_from_another_processs_memory(sandbox, reference):
    # Every /proc/<pid> of the job is listed (no hidepid), but the judge, the zygote and the
    # tester are not dumpable and of other uids: mem, environ and process_vm_readv refused.
    assert_scored(grade(sandbox, solution("memory_scan"), reference), 0, 1)


def test_a_case_that_lowers_its_priority_is_not_unjudged_as_starved(sandbox):
    # A wrong solution that would rather be null (unjudged) than 0: SCHED_IDLE, pinned to a
    # CPU the host keeps busy, so that it waits for a CPU nearly all the time while using
    # little. Held: the sandbox's CPU cgroup gets its share of that CPU whatever the
    # priority of its one runnable task (group scheduling), so the case runs out of CPU.
    reference = stdio_cases(("1\n", "2\n"), timeout_s=1)
    busy = subprocess.Popen([sys.executable, str(SOLUTIONS / "busy_cpu0.py"), "30"])
    try:
        assert_scored(grade(sandbox, solution("idle_priority_stall"), reference), 0, 1)
    finally:
        busy.kill()
        busy.wait()
