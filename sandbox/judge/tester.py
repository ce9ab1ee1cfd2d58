"""The program that runs a reference's test code, forked from the zygote once per job and kept
from one case to the next while it stays fit (see `main`).

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

One tester serves the job's cases in turn (a fork and a start less per case). Each case is a
fresh solution's process, under a fresh uid, and comes with fresh pipes (SCM_RIGHTS on
SOCKET_FD, which only the judge and this process hold): nothing of an earlier case's solution
is alive, and no pipe of it is open here. What its answers built here (rebuilt values, the
tests' module, exception classes, stand-ins) is dropped with the case: the tests run in a new
namespace every case, a stand-in of an earlier case answers nothing, `random` is reseeded and
the working directory restored as in a fresh process. The judge retires the tester (kills
its uid) after any case that did not end with a whole verdict (a timeout, a cap, a crash),
and the tester retires itself when the test code left a thread running. What the test code
itself changes in the interpreter (the reference's code: module state, decimal contexts)
stays for the job's later cases, as in one pytest run.

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
import _socket
import array
import builtins
import collections
import contextlib
import fcntl
import gc
import math
import os
import resource
import sys
import time
import types
from collections.abc import Iterator

from sandbox import procutil

from . import subclasses, values
from .case import PREAMBLE_FILENAME, STREAMS, solutions_in
from .identities import MUTABLE, Identities, replace_contents
from .subclasses import ANSWERS_OF_BUILTIN_VALUES

# The tester's own fds: 0-2 (stdout and stderr are each case's while it runs) and the socket on
# which the judge hands it each case's fds, in CASE_FDS order.
SOCKET_FD = 3
CONTROL_FD = 4  # the case's one message from the judge
VERDICT_FD = 5  # the verdict, to the judge
REQUEST_FD = 6  # requests to the case's solution process
REPLY_FD = 7  # its answers
DONE_FD = 8  # closed last, once the case's verdict and output are all written
CASE_FDS = (1, 2, CONTROL_FD, VERDICT_FD, REQUEST_FD, REPLY_FD, DONE_FD)
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
# Classes of stand-ins for the solution's subclasses of builtin types, at most, in one case.
MAX_STAND_IN_CLASSES = 1000

# Each SolutionGone and NotJudged made during the case in flight: it fails the case even when
# the tests' code caught it (`assertRaises(TypeError)`, `except Exception: pass`), as the
# solution's process ending ends a plain run, and a refused check is no check the tests made.
STICKY_FAILURES: list[str] = []


class StickyFailure:
    """A failure that the test's own code cannot take back by catching it."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        STICKY_FAILURES.append(f"{type(self).__name__}: {args[0] if args else ''}")


class SolutionGone(StickyFailure, RuntimeError):
    """The solution's process stopped answering (it exited, crashed or was killed)."""


class NotJudged(StickyFailure, TypeError):
    """A check the judge cannot make without trusting the solution's own code (its
    `__bool__`, `__contains__`, `startswith`), or data it cannot pass on: the check fails,
    even in a test that expects a failure."""


class Link:
    """The request/answer pipe pair to one case's solution process."""

    def __init__(self) -> None:
        self.exception_types: dict[tuple[str, str, str], type] = {}
        # CPU spent reading and rebuilding the solution's answers: transport, which is not
        # the solution's work (an 18,000-int list costs the same for a fast and a slow one).
        self.transport_s = 0.0
        # Set when its case ends: a stand-in the tests kept answers nothing in a later case
        # (REQUEST_FD is then another solution's).
        self.closed = False
        # The streams as the case began: where the tests put others instead
        # (`contextlib.redirect_stdout`), what the solution prints during a request is
        # captured over there and written to the tests' stream here.
        self.streams = {name: getattr(sys, name) for name in STREAMS}
        # Likewise input: where the tests replaced `input` or `sys.stdin` (`mock.patch(
        # "builtins.input", side_effect=[...])`), what the solution reads during a request
        # is asked of the tests' ones here (feeding: for the request in flight).
        self.stdin, self.input = sys.stdin, builtins.input
        self.feeding = False
        # And functions: where the tests patched print (`mock.patch("builtins.print")`) or
        # a function of a module they may stand in for (`mock.patch("time.sleep")`), the
        # solution's calls of it during the request are made of theirs here.
        self.print = builtins.print
        self.relayed: list[list[str]] = []
        # The tests' view of the solution's module and its names as the case began: a
        # function of the solution's the tests patched there (`mock.patch("solution.helper")`)
        # is theirs in the solution's process too.
        self.solution_module: types.ModuleType | None = None
        self.solution_names: Snapshot | None = None
        # The kinds among NOT_PASSED_ON that the tests' stand-ins raised into the solution.
        self.passed_on: set[str] = set()
        # One stand-in per object of the solution's (its process gives one handle per
        # object): a Remote, or the rebuilt instance of its subclass of a builtin type.
        self.remotes: dict[int, Remote] = {}
        self.rebuilt: dict[int, object] = {}
        self.rebuilt_refs: dict[int, int] = {}  # by id: self.rebuilt keeps them alive
        self.stand_in_classes: dict[tuple, type] = {}
        # The containers that crossed, for the whole case (identities.py).
        self.shared = Identities(subclass=self.going_home)

    def decode(self, tree: object, identities: Identities | None = None) -> object:
        """The value of a snapshot the solution sent; with identities (a reply, or one of
        its top-level names), following its references and rebuilding its subclasses. A
        malformed one ends the case as the solution's process gone: its error is none the
        tests may expect (`pytest.raises(ValueError)`)."""
        rebuild = self.rebuild if identities is not None else None
        return self.rebuilt_as_transport(
            values.decode, tree, self.remote, identities=identities, rebuild=rebuild
        )

    def decode_contents(self, tree: object) -> object:
        """What a shared container holds now, from the solution's "changed"."""
        return self.rebuilt_as_transport(
            values.decode_contents, tree, self.remote, self.shared, self.rebuild
        )

    def rebuilt_as_transport(self, decoder, *args: object, **kwargs: object) -> object:
        started = time.process_time()
        try:
            return decoder(*args, **kwargs)
        except (ValueError, TypeError, LookupError, RecursionError) as exc:
            raise SolutionGone(f"an unreadable answer ({type(exc).__name__})") from None
        finally:
            self.transport_s += time.process_time() - started

    def read(self) -> object:
        started = time.process_time()
        try:
            return procutil.read_frame(REPLY_FD)
        finally:
            self.transport_s += time.process_time() - started

    def send(self, request: dict) -> None:
        if self.closed:
            raise SolutionGone("a stand-in of an earlier case's solution")
        redirected = [n for n, stream in self.streams.items() if getattr(sys, n) is not stream]
        if redirected:
            request = {**request, "capture": redirected}
        fed = [] if sys.stdin is self.stdin else ["input", "stdin"]
        if not fed and builtins.input is not self.input:
            fed = ["input"]
        self.feeding = bool(fed)
        if fed:
            request = {**request, "feed": fed}
        self.relayed = patched_functions() + self.patched_solution_functions()
        if builtins.print is not self.print and is_stand_in(builtins.print):
            self.relayed.append(["builtins", "print"])
        if self.relayed:
            request = {**request, "relay": self.relayed}
        procutil.write_all(REQUEST_FD, procutil.encode_frame(request))

    def give(self, asked: dict) -> None:
        """Answer the solution's read of the input the tests gave: their `input` (a mock's
        next value) or their `sys.stdin`; None for its end, or when their mock raised."""
        kind, prompt = asked.get("ask"), str(asked.get("prompt", ""))[:1000]
        if kind == "call" and asked.get("target") in self.relayed:
            procutil.write_all(REQUEST_FD, procutil.encode_frame(self.relay_call(asked)))
            return
        readers = {
            "input": lambda: builtins.input(prompt),
            "readline": lambda: sys.stdin.readline(),
            "read": lambda: sys.stdin.read(),
        }
        if not self.feeding or kind not in readers:
            raise SolutionGone("the solution's process asked for input it was not given")
        try:
            line = readers[kind]()
        except (SolutionGone, NotJudged):
            raise
        except (StopIteration, EOFError):
            line = None  # the input's end (a mock's side_effect list ran out)
        except BaseException as exc:  # the tests' input raised (`side_effect=KeyboardInterrupt`)
            procutil.write_all(REQUEST_FD, procutil.encode_frame(self.raise_over_there(exc)))
            return
        try:
            # Not self.encode: a value the tests' mock gives that cannot cross is the end of
            # the input, no refusal of a check.
            given = values.encode(line, self.handle_of)
        except Exception:
            given = None
        procutil.write_all(REQUEST_FD, procutil.encode_frame({"given": given}))

    def raise_over_there(self, exc: BaseException) -> dict:
        """The answer that raises, in the solution's process, the builtin kind of what the
        tests' stand-in raised. A KeyboardInterrupt or SystemExit of theirs that the solution
        lets through comes back as itself, not as the solution's process ending."""
        kind = next(k for k in type(exc).__mro__ if k.__module__ == "builtins")
        if issubclass(kind, NOT_PASSED_ON):
            self.passed_on.add(kind.__name__)
        return {"raise": [kind.__name__, str(exc)[:1000]]}

    def watch_solution(self, module: types.ModuleType) -> None:
        self.solution_module, self.solution_names = module, Snapshot(module.__dict__)

    def patched_solution_functions(self) -> list[list[str]]:
        """["solution", name] of each of the solution's functions that the tests' module
        `solution` holds something else for now."""
        module, before = self.solution_module, self.solution_names
        if module is None or before is None or before.holds(module.__dict__):
            return []
        current = module.__dict__
        return [
            ["solution", name]
            for name, own in before.objects.items()
            if isinstance(own, Remote)
            and name in current
            and current[name] is not own
            and is_stand_in(current[name])
        ]

    def relay_call(self, asked: dict) -> dict:
        """The solution's call of a function the tests patched, made of their stand-in here:
        the arguments as the solution passed them (its objects as Remotes, the standard
        streams as this process's). The answer: what it returned (None for what cannot
        cross: a MagicMock), or the builtin kind of what it raised, raised over there."""
        module, name = asked["target"]
        function = getattr(sys.modules[module], name)
        if not is_stand_in(function):
            raise SolutionGone(f"a call of {module}.{name}, which the tests did not patch")
        try:
            args = [self.decode(arg) for arg in asked.get("args") or ()]
            keywords = {str(k): self.decode(v) for k, v in asked.get("kwargs") or ()}
        except (ValueError, TypeError) as exc:
            raise SolutionGone(f"an unreadable call ({type(exc).__name__})") from None
        streams = asked.get("streams")
        for keyword, stream in streams.items() if isinstance(streams, dict) else ():
            if stream in STREAMS:
                keywords[str(keyword)] = getattr(sys, stream)
        real = runs_real_code(function)
        inner = inner_mock(function)
        if real is not None and inner is not None and real is inner._mock_wraps:
            # A spy: the call is recorded here, and the real function runs in the solution's
            # process, as it would in plain Python ("own": its own, unpatched one).
            inner._mock_wraps = None
            try:
                function(*args, **keywords)
            except Exception:
                pass
            finally:
                inner._mock_wraps = real
            return {"own": True}
        if real is not None:
            raise NotJudged(
                f"the tests' stand-in for {module}.{name} would run {real!r} in the judge"
            )
        try:
            result = function(*args, **keywords)
        except (SolutionGone, NotJudged):
            raise
        except BaseException as exc:
            return self.raise_over_there(exc)
        try:
            return {"given": values.encode(result, self.handle_of)}
        except Exception:
            return {"given": None}

    def write_captured(self, reply: dict) -> None:
        """What the solution printed during a request to streams the tests redirected, written
        to the tests' streams (their buffer)."""
        captured = reply.get("captured")
        if not isinstance(captured, dict):
            return
        for name, text in captured.items():
            # Nothing printed is no write: a MagicMock stream's `write.assert_not_called()`.
            if name in self.streams and isinstance(text, str) and text:
                getattr(sys, name).write(text)

    def ask(
        self, op: str, ref: int, args: tuple = (), kwargs: dict | None = None, **fields: object
    ) -> object:
        """Do op on the solution's object ref, with the tests' values (`arg` among fields);
        its answer. The containers both sides hold stay in step (identities.py): what
        the tests changed goes first, what the solution changed comes back."""
        shared = self.shared
        request: dict = {"op": op, "ref": ref, **fields}
        started = time.process_time()  # keeping the tables in step is transport
        forgotten = shared.forget_unreachable()
        if forgotten:
            request["forget"] = forgotten
        mark = shared.count
        try:
            changes = shared.changed()
            request["changes"] = [
                [number, values.encode_contents(shared.objects[number], self.handle_of, shared)]
                for number in changes
            ]
            self.transport_s += time.process_time() - started
            if op in ("call", "method"):
                request["args"] = [self.encode(a) for a in args]
                request["kwargs"] = [[k, self.encode(v)] for k, v in (kwargs or {}).items()]
            if "arg" in fields:
                request["arg"] = self.encode(fields["arg"])
        except (values.NotPlain, NotJudged) as exc:
            shared.rollback(mark)  # nothing was sent: the solution's side counted nothing
            if isinstance(exc, NotJudged):
                raise
            raise NotJudged(f"the judge passes data to the solution, not this: {exc}") from None
        self.send(request)
        reply = self.reply(op)
        if reply.get("untaken") is True:
            shared.rollback(mark)
        else:
            for number in changes:
                shared.synced(number)
        value = self.decode(reply["value"], shared) if "value" in reply else None
        changed = []
        for number, tree in reply.get("changed") or ():
            if tree is None:  # a container the solution's side could no longer send
                shared.forget(number)
            else:
                changed.append((number, self.decode_contents(tree)))
        for number, new in changed:
            original = self.referenced(number)
            own = id(original) not in self.rebuilt_refs
            base = values.builtin_of(original)
            if (
                own
                and type(original) is not base
                and subclasses.defines_methods(type(original), base)
            ):
                # In a plain run the solution's change would have been made by the methods of
                # the tests' class (a read-only input's `sort` raises, a logging list's
                # `append` logs); which ones it called is not known here.
                raise NotJudged(
                    f"the solution changed the tests' own {type(original).__name__}, whose "
                    "methods a plain run would have called"
                )
            # Otherwise the tests' own objects change through their own methods, as in a
            # plain run.
            replace_contents(original, new, own=own)
            shared.synced(number)
        if "raise" in reply:
            raise self.raised(reply["raise"], op)
        return value

    def referenced(self, number: object) -> object:
        try:
            return self.shared.referenced(number)
        except ValueError:
            raise SolutionGone("an answer about no container the tests hold") from None

    def reply(self, op: str = "call") -> dict:
        """The solution's next answer (what it raised, see `raised`). A StopIteration is
        passed on only from `next`: raised by a call (`map(f, xs)` calling f), it would end
        the tests' loop over the results as if it had checked them all, so it is a
        RuntimeError there, as PEP 479 makes it in a generator."""
        while True:
            try:
                reply = self.read()
            except (OSError, ValueError, RecursionError) as exc:
                raise SolutionGone(f"an unreadable answer ({type(exc).__name__})") from None
            if not isinstance(reply, dict):
                raise SolutionGone("the solution's process stopped answering")
            if "ask" not in reply:
                break
            self.give(reply)
        self.write_captured(reply)
        if "raise" in reply and isinstance(reply["raise"], list):
            return reply  # raised once what the call changed before it raised is changed here
        if "value" not in reply:
            raise SolutionGone("the solution's process sent something else than an answer")
        return reply

    def raised(self, raised: list, op: str) -> BaseException:
        """What the solution raised, as the tests see it."""
        exc = self.exception(raised)
        if op != "next" and isinstance(exc, StopIteration | StopAsyncIteration):
            return RuntimeError(f"the solution raised {type(exc).__name__} from a {op}")
        return exc

    def encode(self, value: object) -> object:
        """A value of the tests' in a request (its containers join the shared ones)."""
        return values.encode(value, self.handle_of, self.shared)

    def going_home(self, value: object, _index: int) -> list | None:
        """A stand-in of the solution's subclass instance that is no shared container (a
        str's, an int's) crosses back as its handle; the tests' own subclass's instance as
        its builtin value."""
        ref = self.rebuilt_refs.get(id(value))
        if ref is not None and self.rebuilt.get(ref) is value:
            return ["ref", ref, type(value).__name__, None, False]
        return None

    def rebuild(self, ref: int, kind: str, names: list, data: object) -> object:
        """The stand-in of the solution's object ref, an instance of its subclass of the
        builtin type of data (see subclasses.py)."""
        base = type(data)
        if base not in values.BASES or base in (bool, range):
            raise ValueError("a subclass of no builtin type")
        key = (base, kind, repr(names[: subclasses.MAX_NAMES]))
        klass = self.stand_in_classes.get(key)
        if klass is None:
            if len(self.stand_in_classes) >= MAX_STAND_IN_CLASSES:
                raise SolutionGone("the solution's answers name too many classes")
            klass = subclasses.stand_in_class(base, kind, names, self)
            self.stand_in_classes[key] = klass
        known = self.rebuilt.get(ref)
        if type(known) is klass:
            if base in MUTABLE:
                replace_contents(known, data)
                return known
            if base.__eq__(known, data) is True:
                return known
        if base in MUTABLE:
            stand_in = base.__new__(klass)
            if base is collections.deque:
                collections.deque.__init__(stand_in, (), data.maxlen)
            replace_contents(stand_in, data)
        else:
            stand_in = base.__new__(klass, data)
        self.rebuilt[ref] = stand_in
        self.rebuilt_refs[id(stand_in)] = ref
        return stand_in

    def ref_of(self, stand_in: object) -> int:
        ref = self.rebuilt_refs.get(id(stand_in))
        if ref is None or self.rebuilt.get(ref) is not stand_in:
            raise NotJudged(f"a copy of the solution's {type(stand_in).__name__} is not its object")
        return ref

    def method(self, stand_in: object, name: str, args: tuple, kwargs: dict, call: bool) -> object:
        """Relay.method: an attribute of a stand-in (called, for a method), over there."""
        ref = self.ref_of(stand_in)
        return self.ask("method", ref, args, kwargs, name=name, call=call)

    def set_attribute(self, stand_in: object, name: str, value: object) -> None:
        self.ask("setattr", self.ref_of(stand_in), name=name, arg=value)

    def refuse(self, stand_in: object, name: str) -> None:
        raise NotJudged(
            f"{name} of the solution's {type(stand_in).__name__} is its own, which the judge "
            "does not trust"
        )

    @staticmethod
    def handle_of(value: object) -> int | tuple[str, str]:
        """The handle of a Remote; (module, name) of a stdlib class or function the tests
        pass (`remove_type(items, int)`), which the solution's process takes its own of."""
        if type(value) in REMOTE_TYPES:
            return value._ref
        origin = values.stdlib_origin(value)
        if origin is not None:
            return origin
        raise values.NotPlain(f"a {type(value).__name__} of the tests")

    def remote(self, ref: int, kind: str, truth: bool | None, awaitable: bool = False) -> Remote:
        klass = AwaitableRemote if awaitable else Remote
        known = self.remotes.get(ref)
        if type(known) is klass:
            object.__setattr__(known, "_truth", truth)  # as the object is now
            return known
        self.remotes[ref] = klass(self, ref, kind, truth)
        return self.remotes[ref]

    def exception(self, raised: list) -> BaseException:
        name, module, text = (str(part)[:300] for part in raised[:3])
        base_name = str(raised[3]) if len(raised) > 3 else "Exception"
        if module == "builtins":
            kind = getattr(builtins, name, None)
            if isinstance(kind, type) and issubclass(kind, BaseException):
                if issubclass(kind, NOT_PASSED_ON) and name not in self.passed_on:
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
        if name in ANSWERS_OF_BUILTIN_VALUES:
            raise NotJudged(
                f"the solution's {self._kind} is not a builtin value: its own .{name}() would "
                "answer the tests' check, which the judge does not trust"
            )
        return self._link.ask("getattr", self._ref, name=name)

    def __setattr__(self, name: str, value: object) -> None:
        # `node.left = Node(2)`: the tests build the solution's structures over there.
        self._link.ask("setattr", self._ref, name=name, arg=value)

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self._link.ask("call", self._ref, args, kwargs)

    def __iter__(self):
        return self._link.ask("iter", self._ref)

    def __next__(self):
        return self._link.ask("next", self._ref)

    def __len__(self) -> int:
        return self._link.ask("len", self._ref)

    def __getitem__(self, key: object) -> object:
        return self._link.ask("getitem", self._ref, arg=key)

    def __contains__(self, item: object) -> bool:
        raise NotJudged(
            f"`in` on the solution's {self._kind} comes from its own __contains__, which the "
            "judge does not trust"
        )

    def __bool__(self) -> bool:
        if self._truth is None:
            raise NotJudged(
                f"the truth value of the solution's {self._kind} comes from its own "
                "__bool__ or __len__, which the judge does not trust"
            )
        return self._truth

    def __eq__(self, other: object) -> bool:
        # Never the solution's own __eq__, and no answer in its place: "not equal" is as much
        # the solution's to say as "equal" (`assertNotEqual(Money(1, "USD"), Money(1, "EUR"))`).
        if self is other:
            return True
        raise NotJudged(
            f"== on the solution's {self._kind} comes from its own __eq__, which the judge "
            "does not trust"
        )

    def __ne__(self, other: object) -> bool:
        if self is other:
            return False
        raise NotJudged(
            f"!= on the solution's {self._kind} comes from its own __ne__, which the judge "
            "does not trust"
        )

    def __hash__(self) -> int:
        # In a set or as a key, the solution's __hash__ and __eq__ would say what is
        # distinct (`len({a, b}) == 2`): refused as == is.
        raise NotJudged(
            f"hashing the solution's {self._kind} comes from its own __hash__, which the judge "
            "does not trust"
        )

    def __repr__(self) -> str:
        return f"<the solution's {self._kind}>"


class AwaitableRemote(Remote):
    """A Remote of an awaitable (a coroutine the solution's `async def` returned): only these
    are awaitable here, so that `inspect.isawaitable` is false for the solution's functions
    (mock.patch makes an AsyncMock for an awaitable original)."""

    __slots__ = ()

    def __await__(self):
        return self._link.ask("await", self._ref)
        yield  # a generator: `await remote` runs the solution's coroutine over there


REMOTE_TYPES = (Remote, AwaitableRemote)


def namespace_of(names: dict, link: Link) -> dict:
    """The test code's view of the solution's top-level names."""
    scope: dict = {}
    for name, tree in names.items():
        if name in CHECKER_BUILTINS or name.startswith("__"):
            # Dunders are the module's machinery, not the solution's functions: `__path__`
            # made `from solution import f` import f from a file the solution wrote, and
            # `__all__` steered a star import. (The solution's side filters them too, in a
            # process it controls.)
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
        scope[name] = link.decode(tree, Identities())
    return scope


def is_handle(tree: object) -> bool:
    return isinstance(tree, list) and tree[:1] == ["ref"]


def main() -> None:
    """Judge the cases the judge hands over on SOCKET_FD, one at a time, until it closes the
    socket or a case leaves this process unfit for the next (a thread of the test code still
    running, or anything this loop did not expect: it then exits, and the judge forks a new
    tester for the next case)."""
    sock = _socket.socket(fileno=SOCKET_FD)
    # Where stdout and stderr point between cases (never a closed fd: a number the next
    # case's fds would take).
    quiet = os.open(os.devnull, os.O_WRONLY)
    quiet = move_high(quiet)
    home = os.getcwd()
    compiled: dict = {}  # the tests' code, by the payload's source index (code_of)
    while receive_case(sock):
        try:
            fit = judge_case(compiled)
        finally:
            end_case(quiet)
        if not fit:
            return
        between_cases(home)


def move_high(fd: int) -> int:
    """fd, moved above every number a case's fds take."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 16)
    os.close(fd)
    return high


def receive_case(sock: _socket.socket) -> bool:
    """The next case's fds, put at CASE_FDS; False when the judge closed the socket."""
    fds = array.array("i")
    data, ancillary, flags, _ = sock.recvmsg(64, _socket.CMSG_SPACE(len(CASE_FDS) * fds.itemsize))
    for level, kind, blob in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.frombytes(blob[: len(blob) - len(blob) % fds.itemsize])
    if not data or len(fds) != len(CASE_FDS) or flags & _socket.MSG_CTRUNC:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        return False
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    # Above every target first, so that no dup2 closes a received fd not yet moved.
    high = [move_high(fd) for fd in fds]
    for target, fd in zip(CASE_FDS, high, strict=True):
        # Past stdout and stderr, none is passed on to a process the tests start (dup2 clears
        # close-on-exec; `pass_fds` would have to name one on purpose).
        os.dup2(fd, target, inheritable=target <= 2)
        os.close(fd)
    return True


def end_case(quiet: int) -> None:
    """Hand the case's fds back: its output flushed, its verdict, pipes and done fd closed
    (DONE_FD last: the judge then has all of it)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    for fd in (CONTROL_FD, VERDICT_FD, REQUEST_FD, REPLY_FD, DONE_FD):
        with contextlib.suppress(OSError):
            os.close(fd)


def between_cases(home: str) -> None:
    """As a fresh process would start the next case: the last case's objects freed (none of
    them is reachable from the next), `random` reseeded, the same working directory."""
    sys.modules.pop("solution", None)
    gc.collect()
    if "random" in sys.modules:
        sys.modules["random"].seed()
    with contextlib.suppress(OSError):
        os.chdir(home)


def judge_case(compiled: dict) -> bool:
    """One case: its message on CONTROL_FD, the solution's answers, the verdict on VERDICT_FD.
    Whether this process is fit for another case."""
    test = procutil.read_frame(CONTROL_FD)
    if not isinstance(test, dict):
        return False
    started = time.process_time()
    NONCE[0] = str(test.get("nonce", ""))
    CHILDREN_CPU_AT_START[0] = children_cpu_s()
    limit_cpu(started + float(test["cpu_s"]))
    if "planned" in test:
        PLANNED.clear()
        PLANNED.update(str(name) for name in test["planned"])
    link = Link()
    try:
        return judge_with(test, compiled, link, started)
    finally:
        link.closed = True


def code_of(test: dict, compiled: dict[int, types.CodeType | SyntaxError]) -> types.CodeType:
    """The case's test code, compiled once per source for the job (the judge sends a source
    with its first case only)."""
    source_id = int(test["source_id"])
    if "source" in test:
        try:
            tree = compile(str(test["source"]), TEST_FILENAME, "exec", _ast.PyCF_ONLY_AST)
            compiled[source_id] = compile(tree, TEST_FILENAME, "exec")
            IMPORTS_SOLUTION_BY_NAME[source_id] = imports_solution_by_name(tree)
        except SyntaxError as exc:
            compiled[source_id] = exc
    code = compiled[source_id]
    if isinstance(code, SyntaxError):
        raise code
    return code


# Per test source: whether it imports the solution by name (`from solution import f`,
# `import solution`) and never with a star. Its globals then hold Python's builtins under
# their names, as a test module's do: a solution's `sum` is not the tests' `sum`.
IMPORTS_SOLUTION_BY_NAME: dict[int, bool] = {}


def imports_solution_by_name(tree: _ast.Module) -> bool:
    named = star = False
    for node in walk(tree):
        if isinstance(node, _ast.Import):
            named = named or any(a.name == "solution" for a in node.names)
        elif isinstance(node, _ast.ImportFrom) and node.module == "solution" and not node.level:
            if any(a.name == "*" for a in node.names):
                star = True
            else:
                named = True
    return named and not star


def walk(tree: _ast.AST) -> Iterator[_ast.AST]:
    """Every node under tree (ast.walk, without importing ast here)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for field in node._fields:
            child = getattr(node, field, None)
            if isinstance(child, _ast.AST):
                todo.append(child)
            elif isinstance(child, list):
                todo.extend(item for item in child if isinstance(item, _ast.AST))


def limit_cpu(until_s: float) -> None:
    """SIGXCPU (which ends this process) a second past until_s of this process's CPU, as a
    forked tester's RLIMIT_CPU did; never past the hard limit the zygote set for the job."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(until_s) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def fit_for_another() -> bool:
    """No thread of the test code runs on into the next case (its work would be charged
    there, and it could touch the next case's pipes)."""
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() <= 1


def judge_with(test: dict, compiled: dict, link: Link, started: float) -> bool:
    """Run the case's test and send its verdict; whether this process stays fit (verdict)."""
    try:
        first = link.read()
    except (OSError, ValueError) as exc:
        first = {"fail": f"an unreadable first answer ({type(exc).__name__})"}
    if not isinstance(first, dict) or "names" not in first:
        reason = first.get("fail") if isinstance(first, dict) else None
        reason = str(reason or "the solution's process exited before the tests ran")
        return verdict(False, reason, started, link.transport_s)
    preamble = str(test.get("preamble") or "")
    preamble_s = 0.0  # the reference's own work here, not the solution's
    STICKY_FAILURES.clear()
    try:
        names = namespace_of(first["names"], link)
        preamble_started = time.process_time()
        try:
            names = with_preamble(preamble, names)
        except Exception as exc:
            reason = "the reference's preamble failed in the tests: " + describe(exc)
            return verdict(False, reason, started, link.transport_s)
        preamble_s = time.process_time() - preamble_started
        reason = run_test(test, code_of(test, compiled), names, link)
    except BaseException as exc:
        if is_skip(exc) and not STICKY_FAILURES:
            reason = "test skipped: " + describe(exc)
            return verdict(True, reason, started, preamble_s + link.transport_s)
        reason = "the test failed: " + describe(exc)
        return verdict(False, reason, started, preamble_s + link.transport_s)
    if STICKY_FAILURES:
        reason = "the test failed: " + STICKY_FAILURES[0][:300] + " (caught by the tests)"
        return verdict(False, reason, started, preamble_s + link.transport_s)
    return verdict(True, reason, started, preamble_s + link.transport_s)


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
        if (
            name in imported
            and not made_here
            and is_stdlib(solution_names.get(name))
            and bound_as_itself(name, solution_names[name])
        ):
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


def bound_as_itself(name: str, value: object) -> bool:
    """The solution imported `value` under its own name (`from collections import Counter`),
    not under another (`from math import perm as comb`, which would replace the preamble's
    `comb` in the tests)."""
    own = value.__name__.rpartition(".")[2] if isinstance(value, types.ModuleType) else None
    return name == (own or getattr(value, "__name__", None))


def is_stdlib(value: object) -> bool:
    return isinstance(value, types.ModuleType) or values.stdlib_origin(value) is not None


def run_test(test: dict, code: types.CodeType, solution_names: dict, link: Link) -> str:
    """Run the case's test; the verdict's reason when it passed (it raises when it failed)."""
    module = types.ModuleType("solution")
    module.__dict__.update(solution_names)
    sys.modules["solution"] = module
    link.watch_solution(module)
    scope = dict(solution_names)
    if IMPORTS_SOLUTION_BY_NAME.get(int(test.get("source_id", -1)), False):
        # What the tests import they bind themselves; a builtin's name stays Python's.
        for name in [n for n in scope if hasattr(builtins, n)]:
            del scope[name]
    scope.update(__name__=TESTS_MODULE, __builtins__=builtins)
    exec(code, scope)
    # What unittest or pytest would also run and no case is planned for (made when the tests
    # run: setattr, a class under an if, a function bound by assignment): run with every
    # case, which passes only if they all do. Never above the runner's own share of passes.
    for name in sorted(collected_tests(scope) - PLANNED):
        try:
            run_named({}, scope, module, name.split("."))
        except BaseException as exc:
            if is_skip(exc):
                continue
            raise AssertionError(
                f"{name}, a test made when the tests run (checked with every case), failed: "
                + describe(exc)
            ) from None
    names = test["call"]
    return run_named(test, scope, module, names) if names else PASSED


def run_named(test: dict, scope: dict, module: types.ModuleType, names: list[str]) -> str:
    """The test function `names[0]`, or the method `names[1]` of the test class `names[0]`,
    with their fixtures; the verdict's reason when it passed."""
    if len(names) == 1:
        function = scope[names[0]]
        run_fixture(scope, "setup_module", module)
        run_fixture(scope, "setup_function", function)
        outcome = function()
        if test.get("is_async") or isinstance(outcome, types.CoroutineType):
            run_async(outcome)
        refuse_generator(outcome)
        run_fixture(scope, "teardown_function", function)
        run_fixture(scope, "teardown_module", module)
        return PASSED
    cls = scope[names[0]]
    function = None
    for klass in cls.__mro__:
        if names[1] in klass.__dict__:
            function = klass.__dict__[names[1]]
            break
    run_fixture(scope, "setUpModule")
    run_fixture(scope, "setup_module", module)
    reason = run_method(test, cls, names[1], function)
    run_fixture(scope, "teardown_module", module)
    run_fixture(scope, "tearDownModule")
    unittest = sys.modules.get("unittest")
    if unittest is not None:
        unittest.doModuleCleanups()  # raises what a module cleanup raised
    return reason


PASSED = "test passed"
# Modules whose functions tests patch to check or steer what the solution calls
# (`mock.patch("time.sleep")`, `mock.patch("random.randint", return_value=4)`).
RELAYED_MODULES = (
    "time", "random", "os", "posixpath", "subprocess", "shutil", "getpass", "socket", "uuid",
    "secrets",
)  # fmt: skip
# Each module's namespace at the last look (Snapshot), and the stand-ins in it then: while
# nothing there changed, a look is one comparison of ids in C.
LAST_LOOK: dict[str, tuple[Snapshot, list[str]]] = {}


def patched_functions() -> list[list[str]]:
    """[module, name] of each function of RELAYED_MODULES that a stand-in of the tests holds
    now (a patch of theirs)."""
    found = []
    for module_name in RELAYED_MODULES:
        module = sys.modules.get(module_name)
        if module is None:
            continue
        last = LAST_LOOK.get(module_name)
        if last is None or not last[0].holds(module.__dict__):
            names = [name for name, value in list(module.__dict__.items()) if is_stand_in(value)]
            last = LAST_LOOK[module_name] = (Snapshot(module.__dict__), names)
        found += [[module_name, name] for name in last[1]]
    return found


class Snapshot:
    """A namespace's names and the objects bound to them (kept alive, so their ids stay
    theirs), compared by identity in C: no object's own `==` runs (a Remote's refuses)."""

    def __init__(self, namespace: dict) -> None:
        self.objects = dict(namespace)
        self.names, self.ids = tuple(namespace), tuple(map(id, namespace.values()))

    def holds(self, namespace: dict) -> bool:
        """namespace binds the same names to the same objects as when taken."""
        return tuple(map(id, namespace.values())) == self.ids and tuple(namespace) == self.names


def is_stand_in(value: object) -> bool:
    """What a patch of the tests puts in place: a mock (or an autospec'd function's mock), or a
    function of the tests' own. A real function never is, whatever it replaced: the tests'
    `mock.patch` of a module loaded while patched leaves the real one back, no stand-in."""
    return inner_mock(value) is not None or is_tests_function(value)


def is_tests_function(value: object) -> bool:
    """A function the tests' code defined (a solution's is a Remote, a stdlib one of its
    module)."""
    return isinstance(value, types.FunctionType) and value.__module__ == TESTS_MODULE


def inner_mock(stand_in: object) -> object:
    """The mock itself: the stand-in, or an autospec'd function's `.mock` (a mock's own
    `.mock` would be a child made on the spot, with no side effect and no `wraps`)."""
    mock = sys.modules.get("unittest.mock")
    if mock is None:
        return None
    if isinstance(stand_in, mock.NonCallableMock):
        return stand_in
    inner = getattr(stand_in, "mock", None) if isinstance(stand_in, types.FunctionType) else None
    return inner if isinstance(inner, mock.NonCallableMock) else None


def runs_real_code(stand_in: object) -> object:
    """What of a mock would run here other than the tests' own code: the real function it
    wraps (`wraps=subprocess.check_output`), or a side effect that is one; None for none.
    Run here, it would do the solution's bidding next to the judge's pipes."""
    inner = inner_mock(stand_in)
    if inner is None:
        return None
    for part in (inner._mock_wraps, inner.side_effect):  # mock's own attributes
        if part is None or isinstance(part, BaseException):
            continue
        if isinstance(part, type) and issubclass(part, BaseException):
            continue
        if callable(part) and not is_tests_function(part):
            return part
    return None


# The names of the job's test cases ("Class.method", "function"): whatever else unittest or
# pytest would run from the tests runs with every case (the judge sends it once).
PLANNED: set[str] = set()


def collected_tests(scope: dict) -> set[str]:
    """What unittest's loader and pytest's collection would run from the tests' module: each
    TestCase class's test methods (inherited, assigned, made by setattr), pytest's Test*
    classes' and test* functions. Only the tests' own: a name of the solution's is a Remote
    or a stdlib object, of another module."""
    unittest = sys.modules.get("unittest")
    found: set[str] = set()
    for name, value in list(scope.items()):
        if isinstance(value, types.FunctionType):
            if name.startswith("test") and is_tests_function(value):
                found.add(name)
            continue
        if not isinstance(value, type) or value.__module__ != TESTS_MODULE:
            continue
        if unittest is not None and issubclass(value, unittest.TestCase):
            methods = unittest.defaultTestLoader.getTestCaseNames(value)
        elif name.startswith("Test") and "__init__" not in value.__dict__:
            methods = [
                m for m in dir(value) if m.startswith("test") and callable(getattr(value, m))
            ]
        else:
            continue
        found.update(f"{name}.{method}" for method in methods)
    return found


def run_fixture(scope: dict, name: str, *argument: object) -> None:
    """The tests' own module-level fixture `name` (unittest's setUpModule, pytest's
    setup_module or setup_function, ...), with its argument when it takes one; a name the
    solution defined is no fixture of the tests."""
    fixture = scope.get(name)
    if not is_tests_function(fixture):
        return
    fixture(*argument[: fixture.__code__.co_argcount])


TESTS_MODULE = "rewardd_tests"


def run_method(test: dict, cls: type, name: str, function: object) -> str:
    """A test class's method, as unittest or pytest runs it, each fixture in its turn (class,
    then method, then the test, then theirs undone); the verdict's reason when it passed. A
    failing cleanup, tearDown or tearDownClass fails the test, as it makes unittest's run
    fail."""
    if getattr(cls, "__unittest_skip__", False):
        raise sys.modules["unittest"].SkipTest(str(getattr(cls, "__unittest_skip_why__", "")))
    is_case = any(k.__name__ == "TestCase" for k in cls.__mro__)
    instance = cls(name) if is_case else cls()
    for fixture in ("setUpClass", "setup_class"):
        if hasattr(cls, fixture):
            getattr(cls, fixture)()
    unittest = sys.modules.get("unittest")
    is_unittest = unittest is not None and isinstance(instance, unittest.TestCase)
    if is_unittest and not (test.get("is_async") and unittest_awaits_nothing(cls)):
        # unittest's own run of it: setUp, subtests (a skipped or failed one does not end
        # the method), expectedFailure, tearDown and cleanups, as its runner scores them.
        reason = run_unittest_method(unittest, instance)
    else:
        reason = run_method_by_hand(test, instance, function, expects_failure(cls, function))
    for fixture in ("tearDownClass", "teardown_class"):
        if hasattr(cls, fixture):
            getattr(cls, fixture)()
    if is_unittest:
        cls.doClassCleanups()
        if cls.tearDown_exceptions:
            raise cls.tearDown_exceptions[0][1]
    return reason


def unittest_awaits_nothing(cls: type) -> bool:
    """A plain TestCase, whose run of an `async def` test passes without awaiting it (a
    DeprecationWarning): the judge runs its checks instead (IsolatedAsyncioTestCase runs
    them itself)."""
    return not any(k.__name__ == "IsolatedAsyncioTestCase" for k in cls.__mro__)


def run_unittest_method(unittest: types.ModuleType, instance: object) -> str:
    """instance.run() into a TestResult: the verdict's reason when it passed, else raises
    with the first failure's (a failing cleanup or tearDown, an unexpected success)."""
    result = unittest.TestResult()
    instance.run(result)
    problems = [*result.errors, *result.failures]
    if problems:
        raise AssertionError(traceback_summary(problems[0][1]))
    if result.unexpectedSuccesses:
        raise AssertionError("unexpected success: the test expects a failure (expectedFailure)")
    if result.expectedFailures:
        summary = traceback_summary(result.expectedFailures[0][1])
        return "the test failed, as it expects (expectedFailure): " + summary
    skipped = [why for skipped, why in result.skipped if skipped is instance]
    return f"test skipped: {skipped[0]}"[:300] if skipped else PASSED


def traceback_summary(text: str) -> str:
    """The exception line of a traceback unittest formatted, and the test line it was
    raised from (as describe() gives them)."""
    lines = [line for line in text.splitlines() if line.strip()]
    exception = next((line for line in reversed(lines) if not line.startswith(" ")), "")
    marker = f'File "{TEST_FILENAME}", line '
    numbers = [line.split(marker, 1)[1].split(",")[0] for line in lines if marker in line]
    where = f" (test line {numbers[-1]})" if numbers else ""
    return (exception + where)[:300]


def run_method_by_hand(test: dict, instance: object, function: object, expecting: bool) -> str:
    """A pytest-style class's test (or an `async def` one of a plain TestCase): setUp or
    setup_method, the test, tearDown or teardown_method, cleanups."""
    if hasattr(instance, "setUp"):
        instance.setUp()
    elif hasattr(instance, "setup_method"):
        instance.setup_method(function)
    reason = call_test_method(test, instance, function, expecting)
    if hasattr(instance, "tearDown"):
        instance.tearDown()
    elif hasattr(instance, "teardown_method"):
        instance.teardown_method(function)
    if hasattr(instance, "doCleanups") and not instance.doCleanups():
        raise AssertionError("a cleanup of the test failed (addCleanup)")
    return reason


def call_test_method(test: dict, instance: object, function: object, expecting: bool) -> str:
    """The test method itself. With `@unittest.expectedFailure` (expecting), it passes when
    it fails, as unittest scores it: only the method's own failure is expected, never one
    of setUpClass, setUp or tearDown, nor the judge's refusal or the solution's process
    ending."""
    try:
        outcome = function(instance)
        if test.get("is_async") or isinstance(outcome, types.CoroutineType):
            run_async(outcome)
        refuse_generator(outcome)
    except Exception as exc:
        if not expecting or isinstance(exc, SolutionGone | NotJudged) or is_skip(exc):
            raise
        return "the test failed, as it expects (expectedFailure): " + describe(exc)
    if expecting:
        raise AssertionError("unexpected success: the test expects a failure (expectedFailure)")
    return PASSED


def expects_failure(cls: type, function: object) -> bool:
    """`@unittest.expectedFailure` on the test method or its class: the test passes when
    it fails."""
    return bool(
        getattr(function, "__unittest_expecting_failure__", False)
        or getattr(cls, "__unittest_expecting_failure__", False)
    )


def is_skip(exc: BaseException) -> bool:
    """unittest's SkipTest (`@unittest.skip`, `self.skipTest`), raised by the tests: a
    skipped test counts as passed, as in unittest's exit status. Only this process's own
    class: an exception of the solution's is rebuilt as another class, whatever its name."""
    unittest = sys.modules.get("unittest")
    return unittest is not None and isinstance(exc, unittest.SkipTest)


def refuse_generator(outcome: object) -> None:
    """A test function with `yield` in it returns a generator: its body, checks and all,
    never ran (pytest fails such a test too)."""
    if isinstance(outcome, types.GeneratorType | types.AsyncGeneratorType):
        raise NotJudged("the test function is a generator: its checks never ran")


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


CHILDREN_CPU_AT_START = [0.0]  # children_cpu_s() as the case in flight began
NONCE = [""]  # the case in flight's, from the judge's message


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def verdict(passed: bool, reason: str, started: float, not_charged_s: float = 0.0) -> bool:
    # All the CPU this process used on the case (since `started`): the test code's work on the
    # solution's values, and any stdlib function or class the solution bound, which runs here
    # (a Counter built, a heapq.merge consumed). The judge charges it to the solution, less
    # not_charged_s: the preamble's own run here (its imports: numpy on the sci image) and
    # the transport of the solution's answers (Link.transport_s).
    charged_s = max(0.0, time.process_time() - started - not_charged_s)
    # And what the processes the tests started here used, once they ended (reaped).
    charged_s += children_cpu_s() - CHILDREN_CPU_AT_START[0]
    # "fit": this process serves the job's next case (else it exits after this one, and the
    # judge forks another tester).
    fit = fit_for_another()
    report = {"passed": passed, "reason": reason, "charged_s": charged_s, "fit": fit}
    report["nonce"] = NONCE[0]  # the case's message's: only this process has it
    procutil.write_all(VERDICT_FD, procutil.encode_frame(report))
    return fit
