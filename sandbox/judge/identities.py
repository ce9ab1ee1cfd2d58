"""The containers that crossed between the tester and one case's solution process, as one side
holds them: what is one object in Python stays one object across the pipe, for the whole
case.

Both sides number every container of every message in the order its trees list them (an
encoder and a decoder walk a tree alike, and both sides see the messages in one order), and
a container met again crosses as ["same", n]: the tests' own object on their side, the
solution's on its side (`deep_copy(grid)` returning `grid` is `grid`, `[row] * 3` three times
one row, a getter's list returned twice one list).

What either side changes in a container the other holds is sent before the other next looks
(`changed`, `replace_contents`): told by the identity of its items, so an equal but new item
is a change too. The tester forgets a container no test can reach any more
(`forget_unreachable`) and tells the solution's side, so a case's table holds what the tests
hold, not all that ever crossed.

A look for changes is one pass in C per kind of container (all the lists' items against the
items as last synced, then all the dicts' keys and values, ...), about 20 ns an item; only
where it finds a difference does it look container by container.
"""

from __future__ import annotations

import collections
import itertools
import operator
import sys
from collections.abc import Callable

from . import values

# The containers both sides hold at once, at most: past these, what crosses is a copy.
MAX_SHARED = 200_000
# The containers a side may change in place, and how their items are read: through the
# builtin type's own C methods (a subclass's overrides, a stand-in's relays, never run).
READERS: dict[type, tuple[Callable, ...]] = {
    list: (list.__iter__,),
    collections.deque: (collections.deque.__iter__,),
    bytearray: (bytearray.__iter__,),
    set: (set.__iter__,),
    dict: (dict.keys, dict.values),
}
SIZES: dict[type, Callable] = {kind: kind.__len__ for kind in READERS}
MUTABLE = tuple(READERS)
_UNFINISHED = object()
# Mutable containers are looked at in chunks of this many numbers: a change, a new one or a
# forgotten one makes only its chunk's items, as last synced, to be joined again.
CHUNK = 512
_HELD = {0: []}
_PROBE = {0: _HELD[0]}
# The references to a value that only the table holds (self.objects and the dict of its
# kind and chunk), as `forget_unreachable` counts them.
_ALONE = max(map(sys.getrefcount, _PROBE.values()))


def kind_of(value: object) -> type | None:
    """The mutable builtin type value is an instance of (Counter and OrderedDict are dicts)."""
    for kind in MUTABLE:
        if isinstance(value, kind):
            return kind
    return None


class Identities:
    """One side's table (see the module's doc). `subclass` (each side's own hook) decides how
    an instance of a subclass of a builtin type crosses (values.encode)."""

    def __init__(self, subclass: values.Subclass | None = None) -> None:
        self.count = 0  # numbers given, forgotten ones included: both sides count alike
        self.objects: dict[int, object] = {}
        self.numbers: dict[int, int] = {}  # by id: self.objects keeps them alive
        self.subclass = subclass
        # The immutable ones; the mutable ones by (kind, chunk), each one's items as last
        # synced, and each chunk's items all together as last synced (None: to be joined).
        self.immutable: dict[int, object] = {}
        self.members: dict[tuple, dict[int, object]] = {}
        self.keys: dict[int, tuple] = {}  # (kind, of exactly that type, chunk)
        self.contents: dict[int, tuple] = {}
        self.looks: dict[tuple, tuple | None] = {}

    def known(self, value: object) -> list | None:
        number = self.numbers.get(id(value))
        return None if number is None else ["same", number]

    def number(self, value: object) -> None:
        """Number a container being encoded (nothing once MAX_SHARED were given)."""
        slot = self.reserve()
        if slot is not None:
            self.fill(slot, value)

    def reserve(self) -> int | None:
        if len(self.objects) >= MAX_SHARED:  # live ones: both sides forget alike
            return None
        self.count += 1
        self.objects[self.count - 1] = _UNFINISHED
        return self.count - 1

    def fill(self, slot: int, value: object) -> None:
        self._unset(slot)
        self.objects[slot] = value
        self.numbers.setdefault(id(value), slot)
        kind = kind_of(value)
        if kind is None:
            self.immutable[slot] = value
            return
        key = self.keys[slot] = (kind, type(value) is kind, slot // CHUNK)
        self.members.setdefault(key, {})[slot] = value
        self.contents[slot] = _contents(kind, value)
        self.looks[key] = None

    def referenced(self, number: object) -> object:
        found = self.objects.get(number) if type(number) is int else None
        if found is None:
            raise ValueError("a reference to no container")
        if found is _UNFINISHED:
            raise ValueError("the value contains itself")
        return found

    def changed(self) -> list[int]:
        """The mutable containers whose items are not those last synced."""
        found = []
        for key, members in self.members.items():
            kind = key[0]
            look = self.looks.get(key)
            if look is None:
                look = self.looks[key] = self._synced_look(key)
            if _unchanged(look, key, members.values()):
                continue
            for number, value in members.items():
                if not _same_contents(self.contents[number], _contents(kind, value)):
                    found.append(number)
        return found

    def synced(self, number: int) -> None:
        value = self.objects[number]
        if number in self.contents:
            key = self.keys[number]
            self.contents[number] = _contents(key[0], value)
            self.looks[key] = None

    def forget_unreachable(self) -> list[int]:
        """Forget the containers that nothing but this table holds; their numbers. A list's
        rows follow it in the next pass (its contents, as last synced, hold them now)."""
        forgotten = []
        for held in (self.immutable, *self.members.values()):
            counts = map(sys.getrefcount, held.values())
            forgotten += itertools.compress(
                list(held), map(operator.ge, itertools.repeat(_ALONE), counts)
            )
        forgotten.sort()
        for number in forgotten:
            self.forget(number)
        return forgotten

    def rollback(self, mark: int) -> None:
        """Forget what was numbered since count was mark (a message that was not sent)."""
        for number in range(mark, self.count):
            self.forget(number)
        self.count = mark

    def forget(self, number: object) -> None:
        if type(number) is int and number in self.objects:
            self._unset(number)
            del self.objects[number]

    def _unset(self, number: int) -> None:
        old = self.objects.get(number)
        if old is None or old is _UNFINISHED:
            return
        if self.numbers.get(id(old)) == number:
            del self.numbers[id(old)]
        if self.contents.pop(number, None) is None:
            self.immutable.pop(number, None)
            return
        key = self.keys.pop(number)
        members = self.members[key]
        del members[number]
        if members:
            self.looks[key] = None
        else:
            del self.members[key]
            self.looks.pop(key, None)

    def _synced_look(self, key: tuple) -> tuple:
        """(each one's size, its kind's parts of all of them joined), as last synced."""
        synced = list(map(self.contents.__getitem__, self.members[key]))
        return (
            tuple(map(len, map(operator.itemgetter(0), synced))),
            tuple(
                tuple(itertools.chain.from_iterable(map(operator.itemgetter(part), synced)))
                for part in range(len(READERS[key[0]]))
            ),
        )


def _contents(kind: type, value: object) -> tuple:
    return tuple(tuple(read(value)) for read in READERS[kind])


def _unchanged(look: tuple, key: tuple, held: object) -> bool:
    """Whether the containers held (of one key) hold what look says, item by item by
    identity; in C, and for exact builtins through their own iteration."""
    kind, exact = key[0], key[1]
    if tuple(map(len if exact else SIZES[kind], held)) != look[0]:
        return False
    if exact and kind is not dict:
        parts = [itertools.chain.from_iterable(held)]
    else:
        parts = [itertools.chain.from_iterable(map(read, held)) for read in READERS[kind]]
    return all(all(map(operator.is_, then, now)) for then, now in zip(look[1], parts, strict=True))


def _same_contents(then: tuple, now: tuple) -> bool:
    return all(map(_same_items, then, now))


def _same_items(then: tuple, now: tuple) -> bool:
    return len(then) == len(now) and all(map(operator.is_, then, now))


def replace_contents(original: object, new: object, own: bool = False) -> None:
    """Make the container original hold what new holds, changing only what differs (so that
    the tests' loop over a dict whose values the solution bumped goes on as in Python),
    through the builtin type's own methods (a subclass's overrides, a stand-in's relays, are
    not called) or with own through original's (the tests' own subclass: its overrides run
    as a plain run would run them on the solution's change); nothing for other values."""
    kind = kind_of(original)
    if kind is None or not isinstance(new, kind):
        return

    def call(name: str, *args: object) -> None:
        if own:
            getattr(original, name)(*args)
        else:
            getattr(kind, name)(original, *args)

    if kind is dict:
        # Keys by value and type (1 and 1.0 are one key to a dict, not to the tests).
        theirs = {strict(key) for key in dict.keys(new)}
        kept = [key for key in dict.keys(original) if strict(key) in theirs]
        if list(map(strict, kept)) != list(map(strict, dict.keys(new)))[: len(kept)]:
            call("clear")  # reordered: only a new dict has that order
            call("update", new)
            return
        ours = set(map(strict, kept))
        for key in [key for key in dict.keys(original) if strict(key) not in ours]:
            call("__delitem__", key)
        for key, value in dict.items(new):
            if strict(key) not in ours or dict.__getitem__(original, key) is not value:
                call("__setitem__", key, value)
    elif kind is set:
        theirs = {strict(item) for item in new}
        ours = {strict(item) for item in set.__iter__(original)}
        for item in [item for item in set.__iter__(original) if strict(item) not in theirs]:
            call("remove", item)
        for item in [item for item in new if strict(item) not in ours]:
            call("add", item)
    elif kind is collections.deque and len(original) == len(new):
        for index, (old, item) in enumerate(zip(kind.__iter__(original), new, strict=True)):
            if old is not item:
                call("__setitem__", index, item)
    elif kind is collections.deque:
        call("clear")
        call("extend", new)
    else:
        call("__setitem__", slice(None), new)


def strict(key: object) -> object:
    """A hashable key's value with its type, all the way down its tuples and frozensets:
    what tells 1 from 1.0 and True, which a set or a dict holds as one."""
    kind = type(key)
    if kind is tuple:
        return (tuple, tuple(map(strict, key)))
    if kind is frozenset:
        return (frozenset, frozenset(map(strict, key)))
    return (kind, key)
