"""Dataset formats that need the other engineer's parts of issue 13: APPS's numpy preamble on
the "sci" image, and APPS's own call-based acceptance as a checker, through the Docker judge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rewardd.code_formats import convert
from tests.judge_support import grade_solution, open_docker_sandbox

pytestmark = pytest.mark.docker

DATA = Path(__file__).parent / "data" / "code_formats"


def apps_record(index: int) -> dict:
    return json.loads((DATA / "apps.json").read_text(encoding="utf-8"))["records"][index]


def solution(problem: str) -> str:
    return (DATA / "solutions" / f"{problem}.py").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sandbox():
    box = open_docker_sandbox()
    yield box
    box.close()


def test_apps_numpy_preamble_runs_on_the_sci_image(sandbox):
    """APPS's harness has `import numpy as np` before every solution; so does the reference."""
    sci = convert(apps_record(0)).reference
    assert sci["image"] == "sci"
    numpy_style = solution("fruit_sequences_numpy")
    passed = grade_solution(sandbox, numpy_style, sci)
    assert passed.error is None and passed.value == 1.0, (passed.error, passed.details)
    broken = grade_solution(sandbox, solution("fruit_sequences.broken"), sci)
    assert broken.error is None and broken.value < 1.0
    lean = convert(apps_record(0), image="default").reference
    without_numpy = grade_solution(sandbox, numpy_style, lean)
    assert without_numpy.value == 0.0 and "NameError" in without_numpy.details["cases"][0]["reason"]


def test_apps_harness_outputs_accept_what_apps_accepts(sandbox):
    """With apps_outputs="harness", the answer and APPS's wrapping of it both pass."""
    reference = convert(apps_record(1), image="default", apps_outputs="harness").reference
    for problem, value in (("converter", 1.0), ("converter.wrapped", 1.0)):
        score = grade_solution(sandbox, solution(problem), reference)
        assert score.error is None and score.value == value, (problem, score.details)
    broken = grade_solution(sandbox, solution("converter.broken"), reference)
    assert broken.error is None and broken.value < 1.0
