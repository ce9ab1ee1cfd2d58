"""Red team, eleventh round: identities.Identities, the one table a side of the containers that
crossed in a case (numbers in walk order, `["same", n]`, the tester's "forget" and "changes",
the solution's "changed", "untaken" rollbacks).

Forged replies earn nothing: "changed" making the tests' list hold itself, naming a
forgotten number, a number never given (the tests' expected list) or the argument an
"untaken" reply rolled back; hash-colliding keys put in the tests' set; a 400,000-node
contents tree; a None change (the tester forgets the list) and then a reference to it. The
table holds only what the tests passed or the solution returned, so no number reaches a
container the solution could not hold in Python.

Found open, closed since (sandbox/judge/identities.py):

- the tester applied the solution's change to the tests' dict by `clear()` and `update()`: a
  dict the tests iterate, with a deleted entry before the others, was rebuilt without the
  hole and their loop skipped a key (and an OrderedDict or deque loop raised "mutated during
  iteration"): now only what differs is set, deleted or added;
- a bytearray's snapshot was `bytes(value)`, which calls a subclass's `__bytes__` (a lying
  one decided a top-level constant's value; an honest one recursed through its stand-in's
  relay): now its items are read through bytearray's own slice;
- every request scanned the whole table on both sides item by item in Python: a 1000 x 1000
  grid queried 200 times ran out of the case's 5 s (7.8 s); now one pass in C per kind and
  chunk of containers (3.8 s for 200 queries, where the judge before the table also ran out
  at 5 s; the test asks 100), and the tester's side of it is transport, not charged.

Each test is one attack and asserts the secure outcome: a wrong solution earns what a plain
pytest run gives it, an honest one full marks, a number, never null. The reference test
programs and the solutions are files in tests/redteam_v11/.
"""

from __future__ import annotations

import pytest

from tests.judge_support import Programs
from tests.test_judge_hostile import assert_earned, grade, sandbox  # noqa: F401

pytestmark = pytest.mark.docker

PROGRAMS = Programs("redteam_v11")
program, reference_of = PROGRAMS.program, PROGRAMS.reference_of


def test_the_honest_restock_earns_full_marks(sandbox):  # noqa: F811
    assert_earned(grade(sandbox, program("restock_honest"), reference_of("restock_checks")), 2, 2)


def test_forged_changes_untaken_and_forgets_earn_nothing(sandbox):  # noqa: F811
    # Each function is wrong, and its process forges each reply (case.answer patched): the
    # tests' list made to hold itself; a change to the tests' first, forgotten list; the
    # rolled-back argument of an "untaken" reply returned as itself, or changed; 39 keys
    # that hash alike in the tests' set; 400,000 references in one contents tree; a None
    # change, then the forgotten list given back; numbers 1..49, never given (the tests'
    # expected list). A plain run gives 0/8; each fails its case, and the score is a number.
    score = grade(sandbox, program("forged_changes"), reference_of("forged_change_checks"))
    assert_earned(score, 0, 8)


def test_a_dict_changed_while_the_tests_iterate_it_skips_no_key(sandbox):  # noqa: F811
    # stock = {"a", "b", "c", "d", "e"}; del stock["a"]; for item in stock: restock(...).
    # The wrong restock leaves "c" alone. The solution's change for "b" was applied by
    # clear() and update(), which rebuilt the dict without the deleted entry, and the loop's
    # iterator went on at its old position, "d", never checking "c": 1/2 where pytest gives
    # 0/2. A change that keeps the keys is now value assignments, in place.
    score = grade(sandbox, program("restock_skips"), reference_of("restock_checks"))
    assert_earned(score, 0, 2)


def test_a_bytes_override_never_decides_a_snapshot(sandbox):  # noqa: F811
    # Buf(bytearray) holds b"wrong" and its __bytes__ says b"right": Python's == compares
    # what it holds. Its snapshot was bytes(value), b"right", for the top-level constant (a
    # table of its own, never synced) and for a Buf returned after 200,000 lists
    # (MAX_SHARED: no number, no sync): 2/2 where pytest gives 0/2.
    score = grade(sandbox, program("bytes_override"), reference_of("bytes_override_checks"))
    assert_earned(score, 0, 2)


def test_many_and_big_containers_fit_the_limits(sandbox):  # noqa: F811
    # Honest: 1,000 returned lists kept, a 1000 x 1000 grid passed and queried 100 times,
    # 100,000 returned lists held through 40 more calls. Item-by-item scans in Python of
    # the whole table on each request made it 1/3 where pytest gives 3/3 (7.8 s for 200
    # grid queries; the job's budget out for the 100,000 lists); measured since: 0.14 s,
    # 3.8 s for 200 queries, 1.6 s.
    assert_earned(grade(sandbox, program("keeps_many"), reference_of("keeps_many_checks")), 3, 3)


def test_in_place_value_changes_keep_the_tests_loop(sandbox):  # noqa: F811
    # Honest: bump(counts, key) does counts[key] += 1 while the tests iterate counts (an
    # OrderedDict, a Counter with a deleted entry), bump_first(queue) does queue[0] += 1
    # while they iterate the deque. The tester's clear() and update() (extend) made their
    # loop raise "mutated during iteration" or skip a key: 0/3 where pytest gives 3/3.
    score = grade(sandbox, program("in_place_honest"), reference_of("in_place_checks"))
    assert_earned(score, 3, 3)


def test_a_bytearray_subclass_with_its_own_bytes_crosses(sandbox):  # noqa: F811
    # Honest: Packet(bytearray) whose __bytes__ is its contents. The table's sync of the
    # stand-in (bytes(value)) asked the solution's __bytes__ over the pipe, whose request
    # synced the table first, which asked again: RecursionError while the answer was read,
    # the case ended as the solution gone: 0/2 where pytest gives 2/2.
    score = grade(sandbox, program("packet_honest"), reference_of("packet_checks"))
    assert_earned(score, 2, 2)
