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
