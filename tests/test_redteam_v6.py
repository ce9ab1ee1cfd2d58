"""Red team, sixth round: the test-code style as unittest (and pytest) score it. The round
attacks what came with it (skips and expected failures, the dropped `unittest.main()`, the
solution's prints and reads crossing to the tests' streams and mocks) and what the planner
and the tester leave out of unittest's run: checks that exist in the tests but are never
run, and failures that the tests' own code can catch.

Each test is one attack and asserts the secure outcome: a wrong solution earns what
unittest's run gives it (0, or the partial stated), a number, never null. The reference
test programs and the attacking solutions are files in tests/redteam_v6/.
"""

from __future__ import annotations

import pytest

from tests.judge_support import Programs
from tests.test_judge_hostile import assert_earned, grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker

PROGRAMS = Programs("redteam_v6")
program, reference_of = PROGRAMS.program, PROGRAMS.reference_of

WRONG_ADD = "def add(a, b):\n    return 0\n"
# Right on add(0, 0) only.
ZERO_ADD = "def add(a, b):\n    return 0 if a == b == 0 else a * b + 7\n"
HONEST_ADD = "def add(a, b):\n    return a + b\n"


def assert_nothing_earned(score) -> None:
    """0, a number (however the cases are cut)."""
    assert score.error is None, (score.error, score.details)
    assert score.value == 0, score.details


# --- checks in the tests that no case runs ----------------------------------------------------


@pytest.mark.parametrize("runner", ["top_level", "main_guard"])
def test_test_methods_made_at_run_time_are_run(sandbox, runner):  # noqa: F811
    # unittest.main() was the only thing that ran the setattr-made methods; the planner finds
    # no test_ def, so the whole module is one case, with unittest.main() dropped (or its
    # main guard's body flattened without it): it defines the checks and passes for anyone.
    tests = program("generated_methods")
    if runner == "main_guard":
        head, _, tail = tests.rpartition("\nunittest.main()")
        tests = head + '\nif __name__ == "__main__":\n    unittest.main()' + tail
    assert_nothing_earned(grade(sandbox, WRONG_ADD, {"tests": tests}))
    assert grade(sandbox, HONEST_ADD, {"tests": tests}).value == 1


def test_a_test_class_through_an_alias_of_test_case_is_run(sandbox):  # noqa: F811
    # `Base = unittest.TestCase` hides AddChecks from the planner (a Test* name, a
    # ...TestCase base or an imported alias); the module is one case, unittest.main() dropped.
    assert_nothing_earned(grade(sandbox, WRONG_ADD, reference_of("aliased_base")))
    assert grade(sandbox, HONEST_ADD, reference_of("aliased_base")).value == 1


def test_test_functions_bound_by_assignment_are_run(sandbox):  # noqa: F811
    # pytest collects test_small and test_negative (functions under test_ names); the judge
    # runs the module as one case, which only defines them.
    assert_nothing_earned(grade(sandbox, WRONG_ADD, reference_of("factory_functions")))
    assert grade(sandbox, HONEST_ADD, reference_of("factory_functions")).value == 1


def test_test_classes_under_an_if_are_run(sandbox):  # noqa: F811
    assert_nothing_earned(grade(sandbox, WRONG_ADD, reference_of("class_under_if")))
    assert grade(sandbox, HONEST_ADD, reference_of("class_under_if")).value == 1


@pytest.mark.parametrize(
    "name, total", [("mixin_methods", 3), ("assigned_method", 2)], ids=["mixin", "assigned"]
)
def test_every_test_method_unittest_runs_is_a_case(sandbox, name, total):  # noqa: F811
    # unittest runs TestAdd's inherited (mixin) and assigned test methods; the planner saw
    # only its own `def test_zero`, so a solution right on add(0, 0) alone earned 1/1.
    assert_earned(grade(sandbox, ZERO_ADD, reference_of(name)), 1, total)
    assert_earned(grade(sandbox, HONEST_ADD, reference_of(name)), total, total)


def test_a_subclass_runs_its_inherited_tests_with_its_own_attributes(sandbox):  # noqa: F811
    # unittest runs TestSum.test_total and TestAdd.test_total (with TestAdd's func, the
    # solution's add); the planner cut only TestSum's, which never calls the solution.
    assert_earned(grade(sandbox, WRONG_ADD, reference_of("subclass_attributes")), 1, 2)
    assert_earned(grade(sandbox, HONEST_ADD, reference_of("subclass_attributes")), 2, 2)


# --- skips -----------------------------------------------------------------------------------


def test_a_skipped_subtest_skips_that_subtest_only(sandbox):  # noqa: F811
    # unittest's subTest catches a SkipTest and the loop checks the other inputs (3 fail for
    # this inverse); the tester calls the method with no outcome, where subTest is a bare
    # yield: the first subtest's skip ends the method, and the test passed as skipped.
    wrong = "def inverse(x):\n    return x\n"
    assert_earned(grade(sandbox, wrong, reference_of("skipped_subtest")), 0, 1)
    honest = "def inverse(x):\n    return 1 / x\n"
    assert_earned(grade(sandbox, honest, reference_of("skipped_subtest")), 1, 1)


# --- what the solution prints and reads, crossing to the tests' mocks ---------------------------


def test_what_the_tests_patched_print_raises_reaches_the_solution(sandbox):  # noqa: F811
    # The tests' print raises AssertionError to forbid a print (a side_effect); in Python it
    # propagates from print() through the solution into the test. The tester swallows it
    # (relay_print's contextlib.suppress), the solution's print returns None, and a plain
    # solution printing what the tests forbid earned 2/2 (pytest: 0/2).
    assert_earned(grade(sandbox, program("chatty"), reference_of("print_forbidden")), 0, 2)
    honest = "def square(n):\n    return n * n\n\ndef greet(name):\n    print(f'Hello, {name}!')\n"
    assert_earned(grade(sandbox, honest, reference_of("print_forbidden")), 2, 2)


def test_a_stdlib_function_the_tests_patched_is_the_one_the_solution_calls(sandbox):  # noqa: F811
    # mock.patch("time.sleep") patches the tester's time module only: the solution's calls
    # of time.sleep run in its own process, the mock sees none, and assert_not_called (or
    # call_count == 0) passes for a poll() that always waits (pytest: 0/2).
    assert_earned(grade(sandbox, program("always_sleeps"), reference_of("sleep_forbidden")), 0, 2)


# --- attacks that do not get through (mechanisms no other suite plays) --------------------------

ADD_TESTS = """
import unittest

class TestAdd(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(1, 2), 3)
"""


def test_a_solutions_skiptest_is_no_skip(sandbox):  # noqa: F811
    # An exception class named SkipTest, in unittest.case: rebuilt as another class.
    assert_earned(grade(sandbox, program("forged_skip"), {"tests": ADD_TESTS}), 0, 1)


MOCKED_INPUT_TESTS = """
from unittest import mock

def test_plain():
    assert add(1, 2) == 3

def test_input_mocked():
    with mock.patch("builtins.input", side_effect=["1 2"]):
        assert add(1, 2) == 3
"""


def test_asking_for_input_the_tests_did_not_give_reads_nothing(sandbox):  # noqa: F811
    # Where the tests gave no input, the ask fails the test; where they mocked input only,
    # the tester's own stdin (read whole, or a line) gives nothing.
    score = grade(sandbox, program("asks_out_of_turn"), {"tests": MOCKED_INPUT_TESTS})
    assert_earned(score, 0, 2)


FED_TESTS = """
from unittest import mock

def test_fed():
    with mock.patch("builtins.input", side_effect=["1"] * 100):
        assert add(1, 2) == 3

def test_plain():
    assert add(2, 2) == 4
"""


def test_asks_never_read_block_their_case_only(sandbox):  # noqa: F811
    # Asks sent without reading the answers fill both pipes: the tester and the solution
    # block, the case is stopped at its backstop as idle (0, not a null item), and the next
    # case gets a tester of its own.
    score = grade(sandbox, program("ask_flood"), {"tests": FED_TESTS, "timeout_s": 1})
    assert_earned(score, 0, 2)
    assert "idle" in score.details["cases"][0]["reason"]


def test_the_judges_refusal_of_an_argument_is_no_type_error_of_the_solution(sandbox):  # noqa: F811
    # Celsius() and object() cannot cross to the solution's process: the tester raises
    # NotJudged, a TypeError, before any call, which the tests' assertRaises(TypeError) took
    # for the refusal they check: a to_fahrenheit that refuses nothing earned 2/3 up to
    # 122dac3 (a hole); since a1e5e06 a refusal fails the case even where it is caught.
    refuses_nothing = "def to_fahrenheit(c):\n    return 0\n"
    assert_earned(grade(sandbox, refuses_nothing, reference_of("refused_arguments")), 0, 3)


def test_the_judges_refusal_of_a_truth_value_is_no_type_error_of_the_solution(sandbox):  # noqa: F811
    # bool() and `in` on the solution's Matrix would run its own __bool__/__contains__: the
    # tester refuses them with NotJudged, a TypeError, which assertRaises(TypeError) takes
    # for the refusal the tests check: a Matrix that refuses nothing earned 2/3 up to 122dac3
    # (a hole); since a1e5e06 the refusal fails the case even where it is caught.
    assert_earned(grade(sandbox, program("truthy_matrix"), reference_of("refused_truth")), 0, 3)
