"""Instances of a solution's subclass of a builtin type (`class Label(str)`, an `IntEnum`
member, a namedtuple, `class Stack(list)`) as they cross to the tester.

Crossing as the builtin value alone, such an object was a value the solution never returned:
`type(x) is str` held and `repr(x)` was str's, though its class says otherwise. So it
crosses as its builtin value (read through the builtin type's C methods) together with its
handle and the names its classes define, and the tester makes of it an instance of a subclass
of the same builtin type, named like the solution's class (`stand_in_class`):

- what the builtin type does (==, <, hash, +, len, iteration, its methods) it does on the
  rebuilt value, as Python does for a subclass that does not override it;
- what the solution's classes define is asked of the solution's object: its methods, its
  properties, its operators, `repr` and `str`, and (through `__getattr__`) its instance's
  attributes;
- except where an override would answer the tests' check itself (REFUSED: `__eq__` that
  says "equal" to anything, an "always true" `__bool__`): refused, as on any `Remote`.

A stand-in of a mutable builtin (`class Stack(list)`) is one of the containers both sides
hold (identities.Identities): what either side changes in it is sent before the other looks, so
that `push` over there and `len(s)` here see one stack.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Protocol

from . import values

# Methods by which tests check a value they expect to be a str, bytes or set (`startswith`,
# unittest's assertSetEqual calling `difference`): on an object of the solution's own class
# its method would answer the check, and learn the expected value from the argument. Names
# user classes also define for their own work (`union`, `find`, `count`) are not here.
ANSWERS_OF_BUILTIN_VALUES = frozenset(
    {
        "startswith", "endswith", "issubset", "issuperset", "isdisjoint", "difference",
        "symmetric_difference", "intersection", "isdigit", "isalpha", "isalnum",
        "isdecimal", "isnumeric", "isspace", "islower", "isupper", "istitle",
        "isidentifier", "isprintable", "isascii",
    }
)  # fmt: skip
# Overrides that would decide a check of the tests: refused where the solution's classes
# define them (`__hash__ = None` too: Python sets it where a class defines `__eq__`).
REFUSED = ANSWERS_OF_BUILTIN_VALUES | {
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__",
    "__contains__",
}  # fmt: skip
# A class's machinery: how it is made, pickled, laid out or looked up, not what its
# instances answer. The stand-in's own lookups (`__getattr__`, `__setattr__`) relay.
MACHINERY = frozenset(
    {
        "__new__", "__init__", "__init_subclass__", "__class_getitem__", "__set_name__",
        "__getattribute__", "__getattr__", "__setattr__", "__delattr__", "__dir__",
        "__dict__", "__weakref__", "__slots__", "__module__", "__qualname__", "__doc__",
        "__annotations__", "__orig_bases__", "__parameters__", "__match_args__",
        "__getnewargs__", "__getnewargs_ex__", "__reduce__", "__reduce_ex__",
        "__getstate__", "__setstate__", "__copy__", "__deepcopy__", "__sizeof__", "__del__",
        "__firstlineno__", "__static_attributes__", "__classcell__", "__abstractmethods__",
        "_abc_impl", "__subclasshook__", "__instancecheck__", "__subclasscheck__",
        "__get__", "__set__", "__delete__", "__class__", "__mro_entries__", "__prepare__",
    }
)  # fmt: skip
MAX_NAMES = 300
METHODS = (
    types.FunctionType,
    staticmethod,
    classmethod,
    types.BuiltinFunctionType,
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
)


def head_maker(register: Callable[[object], int]) -> Callable[[object, int], list]:
    """The solution's side: the head of an instance's snapshot, ["sub", its handle, its
    class's name, [[name, "method" or "data"], ...] that its MRO gives otherwise than the
    builtin type at `index` on it does]."""
    known: dict[type, list] = {}

    def head(value: object, index: int) -> list:
        klass = type(value)
        if klass not in known:
            known[klass] = defined_names(type.__dict__["__mro__"].__get__(klass), index)
        return ["sub", register(value), type.__dict__["__name__"].__get__(klass), known[klass]]

    return head


def defined_names(mro: tuple, index: int) -> list[list[str]]:
    """The names Python finds on the solution's classes of mro, each where Python's lookup
    finds it first: above the builtin type, and on a mixin after it (`class Stack(list,
    Broken)`) where neither the builtin type nor a class before it defines the name."""
    builtin = type.__dict__["__mro__"].__get__(mro[index])
    names: dict[str, str] = {}
    taken: set[str] = set()
    for klass in mro:
        namespace = type.__dict__["__dict__"].__get__(klass)
        if klass in builtin:
            taken.update(namespace)
            continue
        for name, attribute in namespace.items():
            if type(name) is str and name not in names and name not in taken:
                names[name] = "method" if isinstance(attribute, METHODS) else "data"
    return [[name, what] for name, what in names.items()][:MAX_NAMES]


class Relay(Protocol):
    """The tester's side of a stand-in: its requests to the solution's object."""

    def method(
        self, stand_in: object, name: str, args: tuple, kwargs: dict, call: bool
    ) -> object: ...

    def set_attribute(self, stand_in: object, name: str, value: object) -> None: ...

    def refuse(self, stand_in: object, name: str) -> None: ...


def stand_in_class(base: type, kind: str, names: list, relay: Relay) -> type:
    """A subclass of base named kind whose instances answer as the module's doc says."""

    def look_up(self: object, name: str) -> object:
        return relay.method(self, name, (), {}, False)

    def set_attribute(self: object, name: str, value: object) -> None:
        relay.set_attribute(self, name, value)

    def reduce(self: object, _protocol: object = None) -> tuple:
        # copy, deepcopy, pickle: the builtin value it holds (a copy is no object of the
        # solution's, and refilling one through a relayed `append` would ask for one).
        return builtin_value, (base, values.encode(self, None))

    def copied(self: object, _memo: object = None) -> object:
        return builtin_value(base, values.encode(self, None))

    namespace: dict = {
        "__slots__": (),
        "__module__": "solution",
        "__qualname__": kind,
        "__getattr__": look_up,
        "__setattr__": set_attribute,
        "__reduce_ex__": reduce,
        "__reduce__": reduce,
        "__copy__": copied,
        "__deepcopy__": copied,
    }
    given = {
        entry[0]: entry[1]
        for entry in names[:MAX_NAMES]
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
    }
    if "__len__" in given and "__bool__" not in given:
        given["__bool__"] = "method"  # its truth would be its own __len__'s
    for name, what in given.items():
        if name in namespace or name in MACHINERY or len(name) > 200:
            continue
        if name in REFUSED:
            namespace[name] = _refused(name, relay)
        elif what == "method":
            namespace[name] = _relayed_method(name, relay)
        else:
            namespace[name] = property(_relayed_data(name, relay))
    return type(kind, (base,), namespace)


def builtin_value(base: type, tree: object) -> object:
    """A stand-in's copy: its builtin value, of its builtin type (see `reduce`)."""
    return values.decode(tree)


def defines_methods(klass: type, base: type) -> bool:
    """Whether klass, a subclass of the builtin type base, defines methods of its own on
    the way to it (more than how it is made): a class of the tests' whose `append` or
    `sort` a plain run would call on the solution's changes."""
    for owner in type.__dict__["__mro__"].__get__(klass):
        if owner is base or owner in type.__dict__["__mro__"].__get__(base):
            return False
        for name, attribute in type.__dict__["__dict__"].__get__(owner).items():
            if name not in MACHINERY and isinstance(attribute, METHODS):
                return True
    return False


def _refused(name: str, relay: Relay) -> Callable:
    def refused(self: object, *_args: object, **_kwargs: object) -> object:
        relay.refuse(self, name)

    return refused


def _relayed_method(name: str, relay: Relay) -> Callable:
    def method(self: object, *args: object, **kwargs: object) -> object:
        return relay.method(self, name, args, kwargs, True)

    method.__name__ = method.__qualname__ = name
    return method


def _relayed_data(name: str, relay: Relay) -> Callable:
    def data(self: object) -> object:
        return relay.method(self, name, (), {}, False)

    return data
