"""Red team, ninth round: what the tester decides about the solution's values from their
stand-ins rather than from the values themselves.

A `Remote` compares and hashes by identity (`Remote.__eq__` is `self is other`, `__ne__` is
`self is not other`), which fails `==` checks safely but passes their negations: `!=`,
`assertNotEqual`, `not in`, a set's size. Plain data crosses the pipe as a new object, so
`is not` always holds: a "copy" that returns its argument passes. A subclass of a builtin
crosses as its base value, so `type(x) is str` and `repr` checks see a value the solution
never returned. Since the fixes, containers the tests passed keep their identity across the
pipe (identities.Identities) and a builtin subclass crosses as itself (subclasses.py).

Each test is one attack and asserts the secure outcome: a wrong solution earns what a plain
unittest or pytest run gives it (the stated partial), a number, never null. The reference test
programs and the attacking solutions are files in tests/redteam_v9/.
"""

from __future__ import annotations

import pytest

from tests.judge_support import Programs
from tests.test_judge_hostile import assert_earned, grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker

PROGRAMS = Programs("redteam_v9")
program, reference_of = PROGRAMS.program, PROGRAMS.reference_of


HONEST_MONEY = (
    "class Money:\n    def __init__(self, amount, currency):\n        self.amount = amount\n"
    "        self.currency = currency\n\n    def __eq__(self, other):\n"
    "        return isinstance(other, Money) and (self.amount, self.currency) == "
    "(other.amount, other.currency)\n\n    def __hash__(self):\n"
    "        return hash((self.amount, self.currency))\n"
)


def test_a_remotes_identity_is_no_inequality_the_tests_checked(sandbox):  # noqa: F811
    # Money(5, "USD") != Money(5, "EUR"), assertNotEqual, `not in [...]` and the size of a
    # set of two: each compares two Remotes, which are never equal (identity) and hash
    # apart, so every negative check passes whatever the solution's __eq__ and __hash__ say.
    # A Money whose __eq__ and __hash__ ignore the currency earned 5/5; unittest gives 1/5.
    wrong = program("money_ignores_currency")
    assert_earned(grade(sandbox, wrong, reference_of("money_checks")), 1, 5)
    # Since the fix such checks are refused (they are the solution's __eq__ to answer): an
    # honest Money earns the one check on plain values too, never more than unittest gives.
    honest = grade(sandbox, HONEST_MONEY, reference_of("money_checks"))
    assert_earned(honest, 1, 5)
    refused = [c["reason"] for c in honest.details["cases"] if not c["passed"]]
    assert all("does not trust" in reason for reason in refused), refused


def test_plain_data_crossing_the_pipe_is_no_copy_the_solution_made(sandbox):  # noqa: F811
    # `copied is not grid` and `copied[0] is not grid[0]`: the solution's return value is
    # rebuilt in the tester as a new list, so identity checks against the tests' argument
    # always hold. A deep_copy that returns its argument earned 2/2; pytest gives 1/2.
    wrong = "def deep_copy(grid):\n    return grid\n"
    assert_earned(grade(sandbox, wrong, reference_of("deep_copy_checks")), 1, 2)
    honest = "import copy\n\n\ndef deep_copy(grid):\n    return copy.deepcopy(grid)\n"
    assert_earned(grade(sandbox, honest, reference_of("deep_copy_checks")), 2, 2)


def test_a_builtin_subclass_is_not_the_builtin_the_tests_checked_for(sandbox):  # noqa: F811
    # `type(make_label("ab")) is str` and its repr: a str subclass of the solution's (its own
    # __repr__) crosses as the plain str it holds, so exact-type and repr checks see a value
    # the solution never returned. 2/2 where pytest gives 1/2.
    wrong = program("label_subclass")
    assert_earned(grade(sandbox, wrong, reference_of("plain_str_checks")), 1, 2)
    honest = "def make_label(text):\n    return text.upper()\n"
    assert_earned(grade(sandbox, honest, reference_of("plain_str_checks")), 2, 2)
