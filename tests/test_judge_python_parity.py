"""The judge's verdict on each test is plain pytest's, for what Python shares and what it
subclasses: objects the tests passed and got back (identity, changes in place, aliasing)
and instances of a solution's subclasses of builtin types (IntEnum, namedtuple, a list
or str subclass with methods of its own). On Docker and on bubblewrap.

Each folder of tests/judge_parity/ holds the tests (`checks.py`), an honest solution
(`solution.py`) and wrong variants of it (`wrong_*.py`: definitions that replace the honest
ones, appended to it). For every solution, plain pytest runs the tests in a scratch directory
(the oracle: nothing of ours in it) and the judge runs them through the sandbox; each test's
pass or fail must be the same.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_judge_hostile import grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker

PARITY = Path(__file__).resolve().parent / "judge_parity"
FOLDERS = sorted(path.name for path in PARITY.iterdir() if (path / "checks.py").exists())
OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR) test_checks\.py::(\w+)", re.MULTILINE)


def solution_text(folder: Path, variant: str) -> str:
    honest = (folder / "solution.py").read_text()
    if variant == "solution":
        return honest
    return honest + "\n\n" + (folder / f"{variant}.py").read_text()


def plain_pytest(solution: str, checks: Path, scratch: Path) -> dict[str, bool]:
    """{test name: passed} as plain pytest runs the tests against the solution."""
    scratch.mkdir()
    (scratch / "solution.py").write_text(solution)
    (scratch / "test_checks.py").write_text(checks.read_text())
    (scratch / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider"],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outcomes = {name: kind == "PASSED" for kind, name in OUTCOME.findall(run.stdout)}
    assert outcomes, run.stdout + run.stderr
    return outcomes


def judged(box, solution: str, checks: Path) -> dict[str, bool]:
    score = grade(box, solution, {"tests": checks.read_text()})
    assert score.error is None, score.error
    return {case["name"]: case["passed"] for case in score.details["cases"]}


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_test_passes_in_the_judge_exactly_when_plain_pytest_passes_it(
    sandbox,  # noqa: F811
    folder: str,
    tmp_path: Path,
):
    checks = PARITY / folder / "checks.py"
    wrong = sorted(path.stem for path in (PARITY / folder).glob("wrong_*.py"))
    variants = ["solution", *wrong]
    for variant in variants:
        solution = solution_text(PARITY / folder, variant)
        expected = plain_pytest(solution, checks, tmp_path / variant)
        # The folder means something: its honest solution passes everything, each wrong
        # variant fails something, in plain pytest.
        assert all(expected.values()) is (variant == "solution"), (variant, expected)
        assert judged(sandbox, solution, checks) == expected, variant
