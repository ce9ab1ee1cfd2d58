"""Red team, eighth round: the test-code style's relayed calls after red team v7 (a relayed
call goes only to the tests' stand-ins, a spy's real function runs in the solution's process,
a mock whose side effect is a real function is refused) and the tests' view of the
solution's names.

The tester holds the verdict pipe (VERDICT_FD, 5); the judge takes the case's verdict from it
when it holds exactly one frame. Whatever a relayed call runs in the tester runs next to that
pipe, under the tester's uid: a child the real subprocess function starts there for the
solution gets fd 5 when the solution asks for it (`pass_fds=[5]`), writes a passing verdict
and kills the tester (its parent, same uid) before the tester writes its own.

Each test is one attack and asserts the secure outcome: a wrong solution earns what a plain
unittest run gives it (the stated partial), a number, never null. The reference test
programs and the attacking solutions are files in tests/redteam_v8/.
"""

from __future__ import annotations

import pytest

from tests.judge_support import Programs
from tests.test_judge_hostile import assert_earned, grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker

PROGRAMS = Programs("redteam_v8")
program, reference_of = PROGRAMS.program, PROGRAMS.reference_of

HONEST_TOTAL = (
    "def total(items):\n    s = 0\n    for item in items:\n        s += item\n    return s\n\n\n"
    "def power_sum(base, n):\n    return (base**n - 1) // (base - 1)\n"
)


def test_a_mocks_real_side_effect_runs_no_solution_child_next_to_the_verdict(sandbox):  # noqa: F811
    # mock.patch("subprocess.check_output", side_effect=subprocess.check_output): the docs
    # say such a mock is refused (the case fails), since the real function would run in the
    # judge with the solution's arguments. runs_real_code looks at
    # getattr(stand_in, "mock", stand_in): on a plain MagicMock that attribute is a child
    # mock, made on the spot, with no side effect, so the real check_output is found nowhere
    # and the relayed call runs it in the tester, pass_fds=[5] and all. The child writes
    # {"passed": true} on the verdict pipe and SIGKILLs the tester before its own verdict:
    # one frame, a pass. A python_says that always answers "" (right on "pass" only) earned
    # 4/4; as unittest runs it, 1/4.
    # The tests: red team v7's spy of check_output, its real function as the side effect.
    spied = Programs("redteam_v7").program("spied_check_output")
    counted = spied.replace("wraps=subprocess.check_output", "side_effect=subprocess.check_output")
    assert counted != spied
    forger = program("side_effect_forger")
    assert_earned(grade(sandbox, forger, {"tests": counted}), 1, 4)


def test_the_solutions_builtin_names_are_not_the_tests_when_they_import_one_function(sandbox):  # noqa: F811
    # The tests import only what they test (`from solution import power_sum, total`) and make
    # their expected values with Python's sum and pow. The tester puts every top-level name of
    # the solution in the tests' globals, and a builtin's name that is the solution's own code
    # (a handle) shadows the builtin unless it is one of CHECKER_BUILTINS: the tests' sum and
    # pow were the solution's, which return 0 as its total and power_sum do. 3/3 where
    # unittest and pytest give 0/3 (their sum is Python's: the solution's module is not the
    # tests' globals).
    wrong = program("shadows_sum")
    assert_earned(grade(sandbox, wrong, reference_of("imported_total")), 0, 3)
    assert_earned(grade(sandbox, HONEST_TOTAL, reference_of("imported_total")), 3, 3)


HONEST_WAIT_FOR = (
    "import os\nimport time\n\n\ndef wait_for(path, attempts):\n"
    "    for _ in range(attempts):\n        if os.path.exists(path):\n            return True\n"
    "        time.sleep(0.1)\n    return False\n"
)


def test_what_the_tests_stand_in_raises_past_exception_reaches_the_solution(sandbox):  # noqa: F811
    # mock.patch("time.sleep", side_effect=KeyboardInterrupt), and the tests expect the
    # solution to let it through (assertRaises(KeyboardInterrupt)). Link.relay_call hands
    # the solution what the stand-in raised only for an Exception (`except Exception`): a
    # KeyboardInterrupt leaves relay_call, give and reply in the tester and reaches the
    # tests' assertRaises directly, so the solution's bare `except:` that swallows it, and
    # waits on, never sees it. 3/3 where unittest gives 2/3.
    wrong = program("swallows_ctrl_c")
    assert_earned(grade(sandbox, wrong, reference_of("ctrl_c_while_waiting")), 2, 3)
    assert_earned(grade(sandbox, HONEST_WAIT_FOR, reference_of("ctrl_c_while_waiting")), 3, 3)


def test_what_the_tests_input_raises_past_exception_reaches_the_solution(sandbox):  # noqa: F811
    # The same through the tests' input: Link.give reads their mock.patch("builtins.input",
    # side_effect=KeyboardInterrupt) under `except Exception`, so the KeyboardInterrupt
    # reaches the tests' assertRaises in the tester, past the solution's bare `except:` that
    # swallows it. 2/2 where unittest gives 1/2.
    wrong = program("swallows_ctrl_c_at_the_prompt")
    assert_earned(grade(sandbox, wrong, reference_of("ctrl_c_at_the_prompt")), 1, 2)
    honest = "def ask_name():\n    return input('name? ')\n"
    assert_earned(grade(sandbox, honest, reference_of("ctrl_c_at_the_prompt")), 2, 2)
