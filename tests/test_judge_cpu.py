"""A case's reported CPU time (`cpu_ms`) is what ALL the solution's processes used in it.

The efficiency component ranks passing samples by this figure, so a policy rewarded for a
small one will hide its work wherever the meter does not look: in a child that exits
unwaited, an orphan in its own session, a child reaped unseen (SIGCHLD ignored), a thread,
while its own process sleeps. Each test moves 0.4 s of work there and asserts that the case
reports at least most of it, on Docker and on bubblewrap, in every style; and that a
trivial solution reports little (the judge's own work and the interpreter's start are not
the solution's).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from tests.judge_support import grade_solution as grade
from tests.judge_support import open_judge_sandbox

pytestmark = pytest.mark.docker

WORK_S = 0.4
BURN = f"""
end = time.process_time() + {WORK_S}
while time.process_time() < end:
    pass
"""
# Where the work hides; the parent answers once the work is done (a byte on a pipe: not a
# wait for the child, and no sleep that a loaded host could outlast).
DONE = "os.write(done_w, b'x')"
HIDING_PLACES = {
    "a child it waits for": f"""
        if os.fork() == 0:
{textwrap.indent(BURN, " " * 12)}
            os._exit(0)
        os.wait()
    """,
    "a child that exits unwaited": f"""
        done_r, done_w = os.pipe()
        if os.fork() == 0:
{textwrap.indent(BURN, " " * 12)}
            {DONE}
            os._exit(0)
        os.read(done_r, 1)
    """,
    "an orphan in its own session": f"""
        done_r, done_w = os.pipe()
        if os.fork() == 0:
            if os.fork() == 0:
                os.setsid()
{textwrap.indent(BURN, " " * 16)}
                {DONE}
            os._exit(0)
        os.wait()
        os.read(done_r, 1)
    """,
    "a child reaped unseen (SIGCHLD ignored)": f"""
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        done_r, done_w = os.pipe()
        if os.fork() == 0:
{textwrap.indent(BURN, " " * 12)}
            {DONE}
            os._exit(0)
        os.read(done_r, 1)
    """,
    "two children, a sleeping parent": f"""
        done_r, done_w = os.pipe()
        for _ in range(2):
            if os.fork() == 0:
                end = time.process_time() + {WORK_S} / 2
                while time.process_time() < end:
                    pass
                {DONE}
                os._exit(0)
        os.read(done_r, 1)
        os.read(done_r, 1)
    """,
    "a thread": f"""
        def burn():
{textwrap.indent(BURN, " " * 12)}
        worker = threading.Thread(target=burn)
        worker.start()
        worker.join()
    """,
}
IMPORTS = "import os, signal, threading, time"


@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request) -> Iterator[object]:
    box = open_judge_sandbox(request.param)
    yield box
    box.close()


def solution_in(style: str, hidden: str) -> str:
    """The right answer (3 for 1 + 2), after the work hidden as `hidden` says."""
    body = textwrap.indent(textwrap.dedent(hidden).strip("\n"), "    ")
    if style == "stdio":
        return f"{IMPORTS}\ndef work():\n{body}\nwork()\nprint(3)\n"
    return f"{IMPORTS}\ndef add(a, b):\n{body}\n    return a + b\n"


REFERENCES = {
    "functional": {"fn_name": "add", "test_cases": [{"input": [1, 2], "output": 3}]},
    "stdio": {"test_cases": [{"input": "", "output": "3\n"}]},
    "tests": {"tests": "def test_a():\n    assert add(1, 2) == 3\n"},
}


def case_of(score) -> dict:
    assert score.error is None, score.error
    assert score.details["passed"] == 1, score.details
    return score.details["cases"][0]


@pytest.mark.parametrize("style", list(REFERENCES))
@pytest.mark.parametrize("place", list(HIDING_PLACES))
def test_work_hidden_in_other_processes_is_counted(sandbox, place, style):
    case = case_of(grade(sandbox, solution_in(style, HIDING_PLACES[place]), REFERENCES[style]))
    # Most of it: sampling between two looks may miss the last few milliseconds of a
    # process reaped unseen; never the bulk.
    assert case["cpu_ms"] >= WORK_S * 1000 * 0.8, (place, case)


@pytest.mark.parametrize("style", list(REFERENCES))
def test_a_trivial_solution_reports_little(sandbox, style):
    case = case_of(grade(sandbox, solution_in(style, "pass"), REFERENCES[style]))
    # A forked process starts with no CPU time: no interpreter start, no judge work in it.
    assert case["cpu_ms"] < 60, case
