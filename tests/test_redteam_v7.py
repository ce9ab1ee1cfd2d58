"""Red team, seventh round: the test-code style's relayed functions (a function of time,
random, os, subprocess, ... that the tests patched is theirs in the solution's process too:
its calls are made of the tests' stand-in, in the tester).

The tester is the process that holds the verdict pipe (VERDICT_FD, 5), and the judge takes the
first frame on it as the case's verdict. Whatever a relayed call runs in the tester runs next
to that pipe: a real `subprocess` function (the tests' spy wraps it, or the tester mistook the
real function for a patch) starts a child of the tester's, which inherits fd 5 when the
solution asks for it (`pass_fds=[5]`) and writes a passing verdict before the tester's own.
Its CPU is the tester's child's, which nothing charges.

Each test is one attack and asserts the secure outcome: a wrong solution earns what a plain
run gives it (the stated partial), a number, never null. The reference test programs and the
attacking solutions are files in tests/redteam_v7/.
"""

from __future__ import annotations

import pytest

from tests.judge_support import Programs
from tests.test_judge_hostile import assert_earned, grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker

PROGRAMS = Programs("redteam_v7")
program, reference_of = PROGRAMS.program, PROGRAMS.reference_of

HONEST_ADD = "def add(a, b):\n    return a + b\n"
HONEST_PYTHON_SAYS = (
    "import subprocess\nimport sys\n\n\ndef python_says(code):\n"
    "    return subprocess.check_output([sys.executable, '-c', code], text=True).strip()\n"
)


def test_a_module_first_seen_patched_does_not_relay_its_real_function(sandbox):  # noqa: F811
    # The tester snapshots a relayed module's namespace the first time it sends a request
    # after the module loaded (patched_functions, UNPATCHED.setdefault): subprocess is not
    # loaded when the case starts, and the first request is made inside the tests'
    # mock.patch("subprocess.run"), so the snapshot holds the MagicMock. Once the patch is
    # undone, the real subprocess.run differs from that snapshot and counts as "patched" for
    # every later request of the job: the solution's subprocess.run runs in the tester, whose
    # child writes a passing verdict on fd 5. An add that returns 0 (right on add(0, 0)
    # only) earned 4/4. As unittest runs it, 0/4: in the first case its call of the patched
    # subprocess.run is the mock's (assert_not_called fails), the others check add.
    forger = program("forged_verdict_by_subprocess")
    assert_earned(grade(sandbox, forger, reference_of("dry_run_patched")), 0, 4)
    assert_earned(grade(sandbox, HONEST_ADD, reference_of("dry_run_patched")), 4, 4)


def test_a_spy_of_the_tests_runs_no_solution_child_next_to_the_verdict(sandbox):  # noqa: F811
    # mock.patch("subprocess.check_output", wraps=subprocess.check_output): the spy calls the
    # real check_output in the tester with the solution's arguments, pass_fds=[5] included;
    # the child writes {"passed": true} on the verdict pipe first. A python_says that always
    # answers "" (right on "pass" only) earned 4/4.
    forger = program("spied_forger")
    assert_earned(grade(sandbox, forger, reference_of("spied_check_output")), 1, 4)
    honest = grade(sandbox, HONEST_PYTHON_SAYS, reference_of("spied_check_output"))
    assert_earned(honest, 4, 4)


def test_work_a_spy_runs_in_the_tester_for_the_solution_is_charged(sandbox):  # noqa: F811
    # The same spy: the solution's about 2.5 s of CPU per snippet, run in its own process, is
    # over the 1 s limit; run as the tester's child through the spy, it is charged to no one
    # (the tester's CPU is process_time() and its own /proc stat, children excluded), and a
    # solution 2.5x over the limit earned 4/4 at ~20 ms a case.
    reference = reference_of("spied_check_output", timeout_s=1)
    assert_earned(grade(sandbox, program("offloaded_work"), reference), 1, 4)
