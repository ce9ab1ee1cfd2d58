"""What Python shares stays shared across the tester's pipe (sandbox/judge/identities.py):
aliasing within a message, references to what crossed before, changes in place told by
identity on either side, and forgetting what the tests no longer hold. And what the judge's
own comparisons take never holds a reference: the functional style's snapshots refuse them.
"""

from __future__ import annotations

import collections
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.judge import values
from sandbox.judge.identities import Identities, replace_contents


def crossed(value: object) -> object:
    """value as it arrives through JSON, with identities on both sides."""
    tree = json.loads(json.dumps(values.encode(value, None, Identities())))
    return values.decode(tree, identities=Identities())


def shape(value: object, seen: dict[int, int] | None = None) -> object:
    """value with each container replaced by the order in which it was first met, so that two
    values have one shape exactly when they share alike."""
    seen = {} if seen is None else seen
    if isinstance(value, list | tuple | dict | set):
        first = id(value) not in seen
        number = seen.setdefault(id(value), len(seen))
        if not first:
            return ("again", number)
        items = value.items() if isinstance(value, dict) else value
        return (type(value).__name__, number, [shape(item, seen) for item in items])
    return value


leaves = st.integers() | st.text(max_size=3) | st.none()


@st.composite
def shared_lists(draw):
    """Lists of lists some of which are one list (`[row] * 3`, `[a, [a]]`)."""
    pool = [draw(st.lists(leaves, max_size=4)) for _ in range(draw(st.integers(1, 4)))]
    outer = []
    for _ in range(draw(st.integers(0, 6))):
        pick = draw(st.integers(0, len(pool) - 1))
        outer.append(pool[pick] if draw(st.booleans()) else [pool[pick]])
    return outer


@settings(max_examples=200, deadline=None)
@given(shared_lists())
def test_a_message_rebuilds_what_its_value_shares(value):
    rebuilt = crossed(value)
    assert rebuilt == value
    assert shape(rebuilt) == shape(value)


def test_a_reply_that_returns_what_crossed_gives_back_the_senders_own():
    grid = [[1, 2], [3, 4]]
    tester, solution = Identities(), Identities()
    request = json.loads(json.dumps(values.encode(grid, None, tester)))
    theirs = values.decode(request, identities=solution)
    reply = json.loads(json.dumps(values.encode([theirs[1], theirs, [9]], None, solution)))
    answer = values.decode(reply, identities=tester)
    assert answer[0] is grid[1] and answer[1] is grid
    assert answer[2] == [9] and answer[2] is not grid


def test_a_change_on_either_side_is_found_by_identity_and_sent_as_contents():
    tester, solution = Identities(), Identities()
    table = {"a": [1, 2], "b": [3]}
    theirs = values.decode(
        json.loads(json.dumps(values.encode(table, None, tester))), identities=solution
    )
    assert tester.changed() == [] and solution.changed() == []
    theirs["a"][0] = 1  # the same int object: no change
    assert solution.changed() == []
    theirs["a"][0] = 10**30  # told by identity: any new object is a change
    theirs["b"] = [3]  # an equal but new list is one too
    changed = solution.changed()
    assert sorted(changed) == [0, 1]
    for number in changed:
        contents = values.encode_contents(solution.objects[number], None, solution)
        tree = json.loads(json.dumps(contents))
        replace_contents(tester.referenced(number), values.decode_contents(tree, None, tester))
        tester.synced(number)
        solution.synced(number)
    assert table == {"a": [10**30, 2], "b": [3]}
    assert table["b"] is tester.referenced(tester.count - 1)  # the new list is shared now


def test_what_nothing_but_the_table_holds_is_forgotten_a_level_a_pass():
    tester = Identities()
    kept = [[1], [2]]
    values.encode(kept, None, tester)
    values.encode([[3], [4]], None, tester)  # a temporary: its rows follow it a pass later
    assert tester.forget_unreachable() == [3]
    assert tester.forget_unreachable() == [4, 5]
    assert sorted(tester.objects) == [0, 1, 2]
    row = kept[1]
    del kept
    assert tester.forget_unreachable() == [0]
    assert tester.forget_unreachable() == [1]  # the row the tests still hold stays
    assert tester.referenced(2) is row
    tester.rollback(2)  # a message not sent: its numbers are given again
    assert tester.count == 2 and not tester.objects


def test_a_change_is_found_among_many_and_only_it():
    tester = Identities()
    rows = [[i, i] for i in range(5000)]
    counts = {"a": 1}
    values.encode([rows, counts], None, tester)
    assert tester.changed() == []
    rows[4321][1] = "x"
    counts["a"] = 2
    changed = tester.changed()
    assert {id(tester.objects[number]) for number in changed} == {id(rows[4321]), id(counts)}
    for number in changed:
        tester.synced(number)
    assert tester.changed() == []


def test_a_change_in_place_keeps_the_tests_loop_over_a_dict_going():
    # Only the values the solution changed are set: the tests' iteration sees every key, as
    # over a dict changed in place in Python (a rebuilt one skipped keys).
    stock = {"a": 1, "b": 2, "c": 3}
    del stock["a"]
    seen = []
    for key in stock:
        seen.append(key)
        replace_contents(stock, {**stock, key: stock[key] + 10})
    assert seen == ["b", "c"] and stock == {"b": 12, "c": 13}
    ordered = collections.OrderedDict(x=1, y=2)
    for key in ordered:
        replace_contents(ordered, collections.OrderedDict(ordered, **{key: 0}))
    assert ordered == {"x": 0, "y": 0}
    queue = collections.deque([1, 2])
    for _ in queue:
        replace_contents(queue, collections.deque([queue[0] + 1, 2]))
    assert list(queue) == [3, 2]


def test_contents_are_replaced_through_the_builtin_types_own_methods():
    class Noisy(list):
        def __setitem__(self, key, value):
            raise AssertionError("a subclass's override ran")

    class Counting(collections.Counter):
        pass

    noisy = Noisy([1])
    replace_contents(noisy, [2, 3])
    assert list(noisy) == [2, 3]
    counts = Counting(a=1)
    replace_contents(counts, {"b": 2})
    assert dict(counts) == {"b": 2}  # replaced, not added as Counter.update adds
    bounded = collections.deque([1], maxlen=2)
    replace_contents(bounded, collections.deque([5, 6, 7]))
    assert list(bounded) == [6, 7] and bounded.maxlen == 2
    frozen = (1, 2)
    replace_contents(frozen, [3])  # not a container that changes: left alone
    assert frozen == (1, 2)


@pytest.mark.parametrize(
    "tree",
    [
        ["same", 0],  # before any container
        ["l", [["same", 0]]],  # the list it is in: a cycle
        ["l", [["same", 5]]],
        ["l", [["l", []], ["same", 0]]],  # the list it is in, from its item
        ["same", "0"],
    ],
)
def test_a_forged_reference_is_a_malformed_snapshot(tree):
    with pytest.raises(ValueError):
        values.decode(tree, identities=Identities())


@pytest.mark.parametrize("tag", ["same", "arg", "sub", "home"])
def test_the_judges_own_snapshots_take_no_references(tag):
    # The functional style's value is compared in the judge, under no case's limit: a
    # reference could make a small frame an exponential value there.
    with pytest.raises(ValueError):
        values.decode(["l", [[tag, 0], [tag, 0]]])


def test_a_subclass_crosses_as_its_base_unless_a_side_says_otherwise():
    class Label(str):
        pass

    heads = []

    def subclass(value, index):
        heads.append(type(value).__mro__[index])
        return ["sub", 7, "Label", []]

    assert values.encode(Label("x")) == ["s", "x"]  # without identities: the functional style
    tree = values.encode([Label("x")], None, Identities(subclass=subclass))
    assert tree == ["l", [["sub", 7, "Label", [], ["s", "x"]]]] and heads == [str]
