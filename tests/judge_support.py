"""Sandboxes and grading for the code-judge tests (hostile, red-team, anti-hack, HumanEval).

A sandbox that is not there skips its tests, unless REQUIRE_DOCKER=1 / REQUIRE_BWRAP=1 (CI)
makes its absence a failure.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from rewardd.rewards.code import run_cases
from rewardd.rewards.types import GradingInput, Score


def open_docker_sandbox():
    from sandbox import open_sandbox
    from sandbox.docker_backend import docker_unavailable_reason
    from sandbox.limits import SandboxSettings

    reason = docker_unavailable_reason(SandboxSettings.from_env().image)
    if reason is not None:
        if os.environ.get("REQUIRE_DOCKER") == "1":
            pytest.fail(f"Docker sandbox required but unavailable: {reason}")
        pytest.skip(f"Docker sandbox unavailable: {reason}")
    return open_sandbox("docker")


def open_bwrap_sandbox():
    from sandbox.limits import SandboxSettings
    from sandbox.local_backend import BwrapSandbox

    box = BwrapSandbox(SandboxSettings.from_env())
    reason = box.problem()
    if reason is not None:
        if os.environ.get("REQUIRE_BWRAP") == "1":
            pytest.fail(f"bubblewrap sandbox required but unusable: {reason}")
        pytest.skip(f"bubblewrap sandbox unusable: {reason}")
    return box


def open_judge_sandbox(kind: str):
    """ "docker" or "bwrap"."""
    return open_docker_sandbox() if kind == "docker" else open_bwrap_sandbox()


def grade_solution(sandbox, solution: str, reference: dict) -> Score:
    """The judge's score for `solution`, sent as an R1-format completion."""
    code = textwrap.dedent(solution).strip("\n")
    completion = f"<think>ok</think>\n<answer>\n```python\n{code}\n```\n</answer>"
    return run_cases(GradingInput(completion=completion, task="code", reference=reference), sandbox)


def stdio_cases(*pairs: tuple[str, str], **extra: object) -> dict:
    """A stdio reference: (input, output) cases, plus any other reference keys."""
    return {"test_cases": [{"input": i, "output": o} for i, o in pairs], **extra}


def assert_scored(score, passed: int, total: int) -> None:
    """A number, never null, and exactly what the solution earned."""
    assert score.error is None, (score.error, score.details)
    assert score.value is not None
    assert (score.details["passed"], score.details["total"]) == (passed, total), score.details


class Programs:
    """A red-team round's programs: the files of tests/<folder>/, tests and solutions alike."""

    def __init__(self, folder: str) -> None:
        self.root = Path(__file__).resolve().parent / folder

    def program(self, name: str) -> str:
        return (self.root / f"{name}.py").read_text()

    def reference_of(self, name: str, **extra: object) -> dict:
        """A test-code reference: the tests in program `name`, and any other keys."""
        return {"tests": self.program(name), **extra}
