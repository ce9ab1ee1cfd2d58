"""The program that runs a reference's test code: one per test-code case, forked from the zygote.

The solution never runs here. The test code's names for the solution's functions, classes
and constants are stand-ins: a constant is its snapshot, rebuilt as a real builtin or stdlib
value; anything else is a `Remote` whose calls, attribute reads and iteration are requests to
the solution's process (case.py), answered with snapshots. So every comparison, every
`assert`, `math.isclose`, `unittest`'s assert methods and `asyncio` are this interpreter's
own, untouched by the solution, and compare rebuilt plain values exactly as Python does.
A `Remote` compares by identity only and has a truth value only where Python's C code gives
it one: an object of the solution's with an "always equal" `__eq__` or an "always true"
`__bool__` passes nothing.

The verdict goes to the judge on VERDICT_FD, which the solution's process never holds; the
test code and its expected values never leave this process.

A solution's top-level name that shadows a builtin is the one the tests call (a `def sum`
under test), except for CHECKER_BUILTINS, which tests use to check results: those stay
Python's, so a solution defining `all = lambda *a: True` changes nothing. A builtin's name
rebound to anything but the solution's own code (`ValueError = Exception`) is ignored, and
a name of a stdlib module (`math`) is always that module.

A name the reference's preamble binds is the reference's own in the tests: the tester runs the
preamble itself (reference code) and the tests get its helpers (HumanEval/38's
`encode_cyclic`, which makes the tests' input), imports and constants, never the solution's
object, which the solution could have rebound, patched (`__code__`) or fed its own `len`.
Only the preamble's stubs (functions that give no value: the ones the solution writes, under
test) and its classes (the types the solution's functions take) are the solution's.
"""

from __future__ import annotations

import _ast
import builtins
import contextlib
import os
import sys
import time
import types

from sandbox import procutil

from . import values
from .case import PREAMBLE_FILENAME, solutions_in

CONTROL_FD = 3
VERDICT_FD = 4
REQUEST_FD = 5
REPLY_FD = 6
TEST_FILENAME = "<rewardd-tests>"
CHECKER_BUILTINS = frozenset(
    {
        "abs", "all", "any", "bool", "callable", "complex", "dict", "enumerate", "eval",
        "exec", "filter", "float", "frozenset", "getattr", "hasattr", "hash", "id", "int",
        "isinstance", "issubclass", "iter", "len", "list", "map", "max", "min", "next",
        "print", "range", "repr", "reversed", "round", "set", "sorted", "str", "tuple",
        "type", "vars", "zip", "__import__", "compile", "open", "globals", "locals",
    }
)  # fmt: skip
NOT_PASSED_ON = (SystemExit, KeyboardInterrupt, GeneratorExit)


class SolutionGone(RuntimeError):
    """The solution's process stopped answering (it exited, crashed or was killed)."""


class Link:
    """The request/answer pipe pair to the solution's process."""

    def __init__(self) -> None:
        self.exception_types: dict[tuple[str, str, str], type] = {}
        # CPU spent reading and rebuilding the solution's answers: transport, which is not
        # the solution's work (an 18,000-int list costs the same for a fast and a slow one).
        self.transport_s = 0.0

    def decode(self, tree: object) -> object:
        started = time.process_time()
        try:
            return values.decode(tree, self.remote)
        finally:
            self.transport_s += time.process_time() - started

    def read(self) -> object:
        started = time.process_time()
        try:
            return procutil.read_frame(REPLY_FD)
        finally:
            self.transport_s += time.process_time() - started

    def ask(self, op: str, ref: int, **fields: object) -> object:
        procutil.write_all(REQUEST_FD, procutil.encode_frame({"op": op, "ref": ref, **fields}))
        return self.answer()

    def answer(self) -> object:
        reply = self.reply()
        return self.decode(reply["value"])

    def reply(self) -> dict:
        """The solution's next answer; what it raised, raised here."""
        try:
            reply = self.read()
        except (OSError, ValueError, RecursionError) as exc:
            raise SolutionGone(f"an unreadable answer ({type(exc).__name__})") from None
        if not isinstance(reply, dict):
            raise SolutionGone("the solution's process stopped answering")
        if "raise" in reply and isinstance(reply["raise"], list):
            raise self.exception(reply["raise"])
        if "value" not in reply:
            raise SolutionGone("the solution's process sent something else than an answer")
        return reply

    def call(self, target: Remote, args: tuple, kwargs: dict) -> object:
        request = {
            "op": "call",
            "ref": target._ref,
            "args": [self.encode(a) for a in args],
            "kwargs": [[k, self.encode(v)] for k, v in kwargs.items()],
        }
        procutil.write_all(REQUEST_FD, procutil.encode_frame(request))
        reply = self.reply()
        for where, tree in reply.get("changed") or []:
            original = args[where] if isinstance(where, int) else kwargs[where]
            update_in_place(original, self.decode(tree))
        return self.decode(reply["value"])

    def encode(self, value: object) -> object:
        try:
            return values.encode(value, self.handle_of)
        except values.NotPlain as exc:
            raise TypeError(f"the judge passes data to the solution, not this: {exc}") from None

    @staticmethod
    def handle_of(value: object) -> int | tuple[str, str]:
        """The handle of a Remote; (module, name) of a stdlib class or function the tests
        pass (`remove_type(items, int)`), which the solution's process takes its own of."""
        if type(value) is Remote:
            return value._ref
        origin = values.stdlib_origin(value)
        if origin is not None:
            return origin
        raise values.NotPlain(f"a {type(value).__name__} of the tests")

    def remote(self, ref: int, kind: str, truth: bool | None) -> Remote:
        return Remote(self, ref, kind, truth)

    def exception(self, raised: list) -> BaseException:
        name, module, text = (str(part)[:300] for part in raised[:3])
        base_name = str(raised[3]) if len(raised) > 3 else "Exception"
        if module == "builtins":
            kind = getattr(builtins, name, None)
            if isinstance(kind, type) and issubclass(kind, BaseException):
                if issubclass(kind, NOT_PASSED_ON):
                    return SolutionGone(f"the solution raised {name} during a call")
                return rebuilt(kind, text)
        base = getattr(builtins, base_name, Exception)
        if not (isinstance(base, type) and issubclass(base, Exception)):
            base = Exception
        key = (module, name, base.__name__)
        if key not in self.exception_types:
            self.exception_types[key] = type(name, (base,), {"__module__": module})
        return rebuilt(self.exception_types[key], text)


def rebuilt(kind: type, text: str) -> BaseException:
    """An exception of kind carrying text, also for kinds whose constructor wants more
    (UnicodeDecodeError, ExceptionGroup): then made without calling it."""
    try:
        return kind(text)
    except Exception:
        pass
    try:
        exc = BaseException.__new__(kind)
        exc.args = (text,)
        return exc
    except Exception:
        return SolutionGone(f"the solution raised a {kind.__name__}, which cannot be rebuilt")


class Remote:
    """A stand-in for an object living in the solution's process."""

    __slots__ = ("_kind", "_link", "_ref", "_truth")

    def __init__(self, link: Link, ref: int, kind: str, truth: bool | None) -> None:
        for slot, value in zip(Remote.__slots__, (kind, link, ref, truth), strict=True):
            object.__setattr__(self, slot, value)

    def __getattr__(self, name: str) -> object:
        return self._link.ask("getattr", self._ref, name=name)

    def __setattr__(self, name: str, value: object) -> None:
        # `node.left = Node(2)`: the tests build the solution's structures over there.
        self._link.ask("setattr", self._ref, name=name, arg=self._link.encode(value))

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self._link.call(self, args, kwargs)

    def __iter__(self):
        return self._link.ask("iter", self._ref)

    def __next__(self):
        return self._link.ask("next", self._ref)

    def __len__(self) -> int:
        return self._link.ask("len", self._ref)

    def __getitem__(self, key: object) -> object:
        return self._link.ask("getitem", self._ref, arg=self._link.encode(key))

    def __contains__(self, item: object) -> bool:
        return self._link.ask("contains", self._ref, arg=self._link.encode(item)) is True

    def __bool__(self) -> bool:
        if self._truth is None:
            raise TypeError(
                f"the truth value of the solution's {self._kind} comes from its own "
                "__bool__ or __len__, which the judge does not trust"
            )
        return self._truth

    def __await__(self):
        return self._link.ask("await", self._ref)
        yield  # a generator: `await remote` runs the solution's coroutine over there

    def __eq__(self, other: object) -> bool:
        return self is other  # never the solution's own __eq__

    def __ne__(self, other: object) -> bool:
        return self is not other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<the solution's {self._kind}>"


def update_in_place(original: object, new: object) -> None:
    """A call changed a list, dict, set or bytearray argument: change the tests' one too."""
    if type(original) is not type(new):
        return
    if isinstance(original, list | bytearray):
        original[:] = new
    elif isinstance(original, dict | set):
        original.clear()
        original.update(new)


def namespace_of(names: dict, link: Link) -> dict:
    """The test code's view of the solution's top-level names."""
    scope: dict = {}
    for name, tree in names.items():
        if name in CHECKER_BUILTINS:
            continue
        if name in sys.stdlib_module_names:
            # Tests that use `math` without importing it mean the stdlib's, as the solution's
            # import would have given them; a `class math` of the solution never stands in.
            with contextlib.suppress(ImportError):
                scope[name] = __import__(name)
            continue
        if hasattr(builtins, name) and not is_handle(tree):
            # A builtin's name is the solution's only for code it wrote (a function, a class:
            # a handle). Rebound to a stdlib object, a module or a constant
            # (`ValueError = Exception`), it would change what the tests check.
            continue
        if isinstance(tree, list) and tree[:1] == ["module"]:
            module = str(tree[1]) if len(tree) > 1 else ""
            if module in values.SHARED_MODULES:
                scope[name] = __import__(module, fromlist=["_"])
            continue
        if isinstance(tree, list) and tree[:1] == ["stdlib"]:
            module = str(tree[1]) if len(tree) == 3 else ""
            if module in values.SHARED_MODULES:
                with contextlib.suppress(AttributeError):
                    # The tester's own (`from math import factorial as fact`): its work runs
                    # here, and is charged to the solution with all of this process's CPU.
                    scope[name] = getattr(__import__(module, fromlist=["_"]), str(tree[2]))
            continue
        scope[name] = link.decode(tree)
    return scope


def is_handle(tree: object) -> bool:
    return isinstance(tree, list) and tree[:1] == ["ref"]


def main() -> None:
    test = procutil.read_frame(CONTROL_FD)
    os.close(CONTROL_FD)
    link = Link()
    try:
        first = link.read()
    except (OSError, ValueError) as exc:
        first = {"fail": f"an unreadable first answer ({type(exc).__name__})"}
    if not isinstance(first, dict) or "names" not in first:
        reason = first.get("fail") if isinstance(first, dict) else None
        reason = str(reason or "the solution's process exited before the tests ran")
        verdict(False, reason, link.transport_s)
        return
    preamble = str(test.get("preamble") or "")
    preamble_s = 0.0  # the reference's own work here, not the solution's
    try:
        names = namespace_of(first["names"], link)
        started = time.process_time()
        try:
            names = with_preamble(preamble, names)
        except Exception as exc:
            reason = "the reference's preamble failed in the tests: " + describe(exc)
            verdict(False, reason, link.transport_s)
            return
        preamble_s = time.process_time() - started
        run_test(test, names, link)
    except BaseException as exc:
        verdict(False, "the test failed: " + describe(exc), preamble_s + link.transport_s)
        return
    verdict(True, "test passed", preamble_s + link.transport_s)


def with_preamble(preamble: str, solution_names: dict) -> dict:
    """The tests' names: the solution's, then every name the preamble binds, evaluated here
    from its source, except its stubs and classes, which stay the solution's. The helpers'
    globals hold the preamble's names only (the solution's just for those stubs and classes),
    so a helper's `len` or `chr` is Python's, whatever the solution defined."""
    if not preamble:
        return solution_names
    code = compile(preamble, PREAMBLE_FILENAME, "exec", dont_inherit=True)
    scope: dict = {"__name__": "rewardd_preamble", "__builtins__": builtins}
    ours = dict(builtins.__dict__)
    try:
        exec(code, scope)
    finally:
        # A preamble's patch of the builtins (`builtins.all = ...`) is for the solution's
        # process: the tests check with Python's.
        builtins.__dict__.clear()
        builtins.__dict__.update(ours)
    for name in solutions_in(preamble):
        if name in solution_names:
            scope[name] = solution_names[name]
    imported = imported_names(preamble)
    names = dict(solution_names)
    for name, value in scope.items():
        if name.startswith("__"):
            continue
        made_here = getattr(value, "__module__", None) == scope["__name__"]
        if name in imported and not made_here and is_stdlib(solution_names.get(name)):
            # Both imports (`from typing import *` gives typing's Counter, the solution then
            # imports collections'): the later one, as in Python; either is this process's.
            continue
        names[name] = value
    return names


def imported_names(preamble: str) -> set[str]:
    """The names the preamble's top-level import statements bind (run already: a star
    import's module is loaded)."""
    tree = compile(preamble, PREAMBLE_FILENAME, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, _ast.Import):
            names.update(a.asname or a.name.partition(".")[0] for a in node.names)
        elif isinstance(node, _ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name)
                elif node.level == 0 and node.module in sys.modules:
                    module = sys.modules[node.module]
                    public = [n for n in dir(module) if not n.startswith("_")]
                    names.update(getattr(module, "__all__", public))
    return names


def is_stdlib(value: object) -> bool:
    return isinstance(value, types.ModuleType) or values.stdlib_origin(value) is not None


def run_test(test: dict, solution_names: dict, link: Link) -> None:
    module = types.ModuleType("solution")
    module.__dict__.update(solution_names)
    sys.modules["solution"] = module
    scope = dict(solution_names)
    scope.update(__name__="rewardd_tests", __builtins__=builtins)
    exec(compile(test["source"], TEST_FILENAME, "exec"), scope)
    names = test["call"]
    if not names:
        return
    if len(names) == 1:
        outcome = scope[names[0]]()
        if test.get("is_async"):
            run_async(outcome)
        return
    cls = scope[names[0]]
    function = None
    for klass in cls.__mro__:
        if names[1] in klass.__dict__:
            function = klass.__dict__[names[1]]
            break
    is_case = any(k.__name__ == "TestCase" for k in cls.__mro__)
    instance = cls(names[1]) if is_case else cls()
    if hasattr(cls, "setUpClass"):
        cls.setUpClass()
    if hasattr(instance, "setUp"):
        instance.setUp()
    elif hasattr(instance, "setup_method"):
        instance.setup_method(function)
    outcome = function(instance)
    if test.get("is_async"):
        run_async(outcome)
    if hasattr(instance, "tearDown"):
        instance.tearDown()


def run_async(coroutine: object) -> None:
    import asyncio  # the tester's own: no solution code ever ran in this process

    asyncio.run(coroutine)


def describe(exc: BaseException) -> str:
    text = type(exc).__name__
    detail = str(exc)
    if detail:
        text += ": " + detail
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEST_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is not None:
        text += f" (test line {line})"
    return text[:300]


def verdict(passed: bool, reason: str, not_charged_s: float = 0.0) -> None:
    # All the CPU this process used (it was forked with none): the test code's work on the
    # solution's values, and any stdlib function or class the solution bound, which runs here
    # (a Counter built, a heapq.merge consumed). The judge charges it to the solution, less
    # not_charged_s: the preamble's own run here (its imports: numpy on the sci image) and
    # the transport of the solution's answers (Link.transport_s).
    charged_s = max(0.0, time.process_time() - not_charged_s)
    report = {"passed": passed, "reason": reason, "charged_s": charged_s}
    procutil.write_all(VERDICT_FD, procutil.encode_frame(report))
