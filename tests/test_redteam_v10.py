"""Red team, tenth round: the reply mechanisms of round nine's fixes. A reply may refer to the
tests' own containers (`["arg", n]`), to its own (`["same", n]`), rewrite the tests' containers
in place (`"changed"`), and bring an instance of the solution's subclass of a builtin type as
a stand-in (`["sub", ...]`, subclasses.py) whose class-defined names are relayed to the
solution's object.

Forged replies (references out of range, to unfinished containers or by bool, "changed" for
a tuple, a frozenset, a dict's key or containers the request never held, "sub" trees with a
bool base, hostile or 100,000 names, a class name no type may have, a "home" from the
solution) earn nothing, and the overrides of a builtin subclass answer only what Python asks
them. The open holes (strict xfails) are where the stand-in or a container the tests hold is
not what Python would have there:

- a stand-in of an immutable subclass (a NamedTuple) keeps the copies of its mutable items it
  was built with: what the solution's methods do to them never shows;
- what one request returned is a copy in the next (documented): "returns a copy" checks pass.

Closed since: a subclass of a builtin of the tests' own changes through its own methods (its
overrides run on the solution's change, as they would in a plain run); a mixin after the
builtin on the solution's MRO is relayed where Python's lookup finds it; a relayed special
method is looked up on the class, as Python looks it up.

Each test is one attack and asserts the secure outcome: a wrong solution earns what a plain
pytest run gives it, a number, never null. The reference test programs and the solutions are
files in tests/redteam_v10/.
"""

from __future__ import annotations

import sys
import types

import pytest

from tests.judge_support import Programs
from tests.test_judge_hostile import assert_earned, grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker

PROGRAMS = Programs("redteam_v10")
program, reference_of = PROGRAMS.program, PROGRAMS.reference_of


def plain_python_passes(solution: str, tests: str) -> set[str]:
    """The test functions of tests that pass in this interpreter, with solution as the module
    `solution`: what a plain pytest run of them gives."""
    module = types.ModuleType("solution")
    exec(compile(solution, "solution.py", "exec"), module.__dict__)
    saved = sys.modules.get("solution")
    sys.modules["solution"] = module
    try:
        scope: dict = {"__name__": "plain_run"}
        exec(compile(tests, "checks.py", "exec"), scope)
        passed = set()
        for name, function in list(scope.items()):
            if name.startswith("test") and isinstance(function, types.FunctionType):
                try:
                    function()
                except Exception:
                    continue
                passed.add(name)
        return passed
    finally:
        if saved is None:
            sys.modules.pop("solution", None)
        else:
            sys.modules["solution"] = saved


HONEST = [
    ("sorts_a_copy", "frozen_input_checks", 2),
    ("bag_added_copies", "bag_checks", 2),
    ("inventory_copies", "inventory_checks", 2),
    ("stack_plain", "stack_checks", 2),
]


@pytest.mark.parametrize(("solution", "checks", "total"), HONEST)
def test_the_honest_counterparts_earn_full_marks(sandbox, solution, checks, total):  # noqa: F811
    assert_earned(grade(sandbox, program(solution), reference_of(checks)), total, total)


def test_forged_references_changes_and_subclass_trees_earn_nothing(sandbox):  # noqa: F811
    # Each function is wrong, and its process forges each reply (case.answer patched): "arg"
    # out of range, negative or True; "same" to the list being built; "changed" rewriting
    # the tests' tuple, frozenset, a key of their dict, a Counter from a list, or numbers
    # the request does not hold (their expected value); "sub" with a bool base, names
    # `__class__` / `__eq__` as data / `__getattribute__` / a non-str, 100,000 names, a
    # class name with a NUL or a lone surrogate; a "home" from the solution's side. A plain
    # run gives 0/15; each fails its case, and the score is a number.
    score = grade(sandbox, program("forged_replies"), reference_of("forged_checks"))
    assert_earned(score, 0, 15)


def test_overrides_answer_only_what_python_asks_them(sandbox):  # noqa: F811
    # A list, str and int subclass holding the wrong value, whose overrides (__iter__,
    # __len__, __getitem__, __str__, __format__, __index__, __add__, ...) answer with the
    # right one, under 179 common checks (list(x), sorted, set, "".join, json.dumps, x[0],
    # f-strings, `in`, Counter, copy, pickle, [..][x], math, ...). The judge must pass none
    # that plain Python fails (it fails a few more: a slice, a pickle of a stand-in).
    solution, checks = program("override_sweep"), program("override_sweep_checks")
    python = plain_python_passes(solution, checks)
    score = grade(sandbox, solution, {"tests": checks})
    assert score.error is None, score.error
    judged = {case["name"] for case in score.details["cases"] if case["passed"]}
    assert score.details["total"] == 179
    assert judged <= python, sorted(judged - python)
    assert len(python) > 100


def test_a_failure_message_that_ends_the_solution_is_a_number(sandbox):  # noqa: F811
    # `assert x == "XY", x` and assertEqual's msg ask the stand-in's __str__ (relayed) for
    # the failure's text, and the solution's process exits there: inside the tester's
    # handler of the failure. Plain pytest dies in its report; here those cases fail and
    # the three that pass still count.
    score = grade(sandbox, program("str_ends_the_process"), reference_of("failure_message_checks"))
    assert_earned(score, 3, 5)


def test_the_tests_own_list_subclass_keeps_its_overrides(sandbox):  # noqa: F811
    # The tests pass a FrozenList, whose mutators raise, to check that sorted_copy leaves
    # its input alone. The solution's process gets a plain list, sorts it in place and
    # returns it (["arg", 0]); the tests' FrozenList gets the sorted items through the base
    # type's own methods. 2/2 where pytest gives 1/2.
    wrong = program("sorts_the_input_in_place")
    assert_earned(grade(sandbox, wrong, reference_of("frozen_input_checks")), 1, 2)


def test_a_namedtuples_list_item_follows_the_solutions_object(sandbox):  # noqa: F811
    # Bag(items=[1, 2]).added(3) must leave the bag alone; the wrong one appends to its own
    # list. The tests' stand-in of the bag (a tuple: no "data" sync) still holds [1, 2], so
    # `bag == ([1, 2],)` holds. 2/2 where pytest gives 1/2.
    wrong = program("bag_added_mutates")
    assert_earned(grade(sandbox, wrong, reference_of("bag_checks")), 1, 2)


def test_a_returned_internal_list_is_the_solutions_own(sandbox):  # noqa: F811
    # items = inv.get_items(); items.append("pear"); inv.get_items() == ["apple"]: the tests'
    # list is a copy, so appending to it never reaches the inventory, whichever list the
    # getter returned. 2/2 where pytest gives 1/2.
    wrong = program("inventory_leaks_its_list")
    assert_earned(grade(sandbox, wrong, reference_of("inventory_checks")), 1, 2)


def test_a_mixin_after_the_builtin_is_asked_as_python_asks_it(sandbox):  # noqa: F811
    # Broken.__bool__ is False and Broken.__str__ "garbage": Python finds them on Stack's MRO
    # (list defines neither), the stand-in (list's truth and repr on [1, 2]) does not.
    # 2/2 where pytest gives 1/2.
    wrong = program("stack_falsy_mixin")
    assert_earned(grade(sandbox, wrong, reference_of("stack_checks")), 1, 2)


def test_a_special_method_is_the_classs_not_the_instances(sandbox):  # noqa: F811
    # Label's own __str__ and __len__ are wrong; the instance carries right ones in its
    # __dict__, which str(x) and len(x) never look at in Python. 3/3 where pytest gives 1/3.
    wrong = program("label_instance_dunders")
    assert_earned(grade(sandbox, wrong, reference_of("label_checks")), 1, 3)
