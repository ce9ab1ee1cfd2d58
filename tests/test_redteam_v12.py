"""Red team, twelfth round: identities.py's "changes" and "changed" (the C-level look per kind,
exact type and chunk; `replace_contents`' minimal diff, own=True through the tests' own
subclass's methods) and subclasses.py's stand-ins of a solution's mutable subclass.

Holding: a stand-in `Stack(list)` whose override appends and then raises shows the append
(as Python does); a stand-in put twice in the tests' list crosses back as one object; the
honest counterparts of the read-only and many-pairs programs earn what pytest gives.

Found open, and what became of it:

- own=True applied the solution's change to the tests' own subclass through
  `__setitem__(slice)` (sets: `remove`/`add`; dicts: `__setitem__`/`__delitem__`), not
  through the methods the solution called: a wrong solution that sorts (discards from) the
  tests' `ReadOnly(list)` (`ReadOnlySet`), whose `sort` (`discard`) raises, passed. Now a
  change to the tests' own subclass that defines methods is refused (NotJudged): the wrong
  one fails, an honest one that leaves it alone passes; an honest one appending to the
  tests' `Logged(list)` or popping from their `Counted(dict)` still fails (their overrides
  cannot run for the solution's calls: open, documented, strict xfail).
- set and dict diffs compared by equality: an item (key) replaced by an equal one of another
  type (1.0 by 1) stayed the old object in the tests' container. Now by value and type.
- `Identities.count` counted forgotten numbers too, and past MAX_SHARED (200,000) every
  container crossed as a copy: after 210,000 honest tuples in one case a Store that keeps
  the caller's list passed and an honest `reverse_in_place` failed. Now the bound is on the
  containers both sides hold at once.
- `copy.copy` of a stand-in whose class overrides `append` ran the relayed `append` on the
  copy: NotJudged. Now a stand-in copies (and pickles) as the builtin value it holds.

The reference test programs and the solutions are files in tests/redteam_v12/.
"""

from __future__ import annotations

import pytest

from tests.judge_support import Programs
from tests.test_judge_hostile import assert_earned, grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker

PROGRAMS = Programs("redteam_v12")
program, reference_of = PROGRAMS.program, PROGRAMS.reference_of


@pytest.mark.parametrize(
    ("solution", "checks", "passed", "total"),
    [
        ("read_only_honest", "read_only_checks", 2, 2),
        ("many_pairs_honest", "many_pairs_alias_checks", 1, 1),
        ("stack_honest", "stack_checks", 2, 2),
        # Wrong: the refused push keeps its append (Python's stack does too): pytest 1/2.
        ("stack_half_push", "stack_checks", 1, 2),
    ],
)
def test_what_holds_earns_what_pytest_gives(sandbox, solution, checks, passed, total):  # noqa: F811
    assert_earned(grade(sandbox, program(solution), reference_of(checks)), passed, total)


def test_a_change_to_the_tests_read_only_list_raises_as_in_python(sandbox):  # noqa: F811
    # The wrong sorted_copy sorts the tests' ReadOnly(list) in place (its sort raises in
    # Python), the wrong without discards from their ReadOnlySet (discard raises). The
    # solution's side holds a plain list (set); its change came back and was set through
    # ReadOnly.__setitem__(slice) (set.remove, set.add), which ReadOnly does not refuse:
    # 2/2 where pytest gives 0/2. Fix idea: record which methods changed the solution's
    # copy of a tests' own subclass (a recording list subclass on its side) and replay
    # those calls through the tests' object, or refuse (NotJudged) a change to an own
    # subclass that overrides a changing method other than the ones the diff uses.
    score = grade(sandbox, program("read_only_sorts"), reference_of("read_only_checks"))
    assert_earned(score, 0, 2)


@pytest.mark.xfail(
    strict=True,
    reason="open (documented): a change to the tests' own list subclass with methods is refused; "
    "its append/pop overrides cannot run for the solution's calls",
)
def test_the_tests_own_overrides_run_for_the_solutions_calls(sandbox):  # noqa: F811
    # Honest: collect() appends to the tests' Logged(list) (which logs) and Upper(list)
    # (which upper-cases), drop_all() pops from their Counted(dict). The tester applies the
    # change as a slice assignment (dict: __delitem__), so the log is empty, the items lower
    # case, nothing counted: 0/3 where pytest gives 3/3.
    assert_earned(grade(sandbox, program("logged_honest"), reference_of("logged_checks")), 3, 3)


def test_an_equal_item_of_another_type_replaces_the_tests_item(sandbox):  # noqa: F811
    # The wrong scale() truncates the tests' floats through int() in place: Python's set
    # (dict) then holds 1 and 2, `type(w) is float` fails. replace_contents removes what is
    # not `in` the new set and adds what the old one does not contain, by ==: 1.0 == 1, so
    # the tests' set keeps 1.0 and 2.0 (a dict's kept key stays the old key): 2/2 where
    # pytest gives 0/2. Fix idea: compare set items and dict keys by identity (an item
    # whose identical object is not in the new set goes; a dict key equal but not identical
    # is deleted and set again, at Python's position).
    score = grade(sandbox, program("equal_keys_truncates"), reference_of("equal_keys_checks"))
    assert_earned(score, 0, 2)


def test_an_honest_in_place_conversion_shows(sandbox):  # noqa: F811
    # Honest: to_ints() and keys_to_ints() swap the tests' 1.0 (True) for int(…) in place.
    # The tests still see the floats (True): 0/2 where pytest gives 2/2.
    assert_earned(grade(sandbox, program("to_ints_honest"), reference_of("to_ints_checks")), 2, 2)


def test_an_aliasing_store_fails_after_many_containers(sandbox):  # noqa: F811
    # 21 batches of 10,000 pairs cross (210,000 tuples, each numbered, then forgotten, but
    # count only grows); then the wrong Store keeps the caller's list itself. Past
    # MAX_SHARED the tests' list crosses as a copy, so their later append never reaches the
    # store: 1/1 where pytest gives 0/1. Fix idea: bound the containers held (live ones),
    # not the numbers ever given, and when the bound is reached end the case as not judged
    # rather than crossing copies.
    score = grade(sandbox, program("many_pairs_aliases"), reference_of("many_pairs_alias_checks"))
    assert_earned(score, 0, 1)


def test_an_in_place_reverse_shows_after_many_containers(sandbox):  # noqa: F811
    # Honest: after the same 210,000 tuples, reverse_in_place(data) reverses a copy; the
    # tests' list is unchanged: 0/1 where pytest gives 1/1.
    score = grade(sandbox, program("many_pairs_honest"), reference_of("many_pairs_in_place_checks"))
    assert_earned(score, 1, 1)


def test_a_copy_of_a_stand_in_is_a_list_of_its_items(sandbox):  # noqa: F811
    # Honest: copy.copy(stack) of the solution's Stack(list), whose class overrides append.
    # copy rebuilds it as the stand-in's class and appends each item through the relayed
    # append, which has no object over there: NotJudged, 0/1 where pytest gives 1/1. Fix
    # idea: a stand-in's __reduce_ex__ that rebuilds a copy as the builtin value (or asks
    # the solution's object for its copy).
    assert_earned(grade(sandbox, program("stack_honest"), reference_of("stack_copy_checks")), 1, 1)
