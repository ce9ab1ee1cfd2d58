"""The program of a solution's process: one per case, forked from the zygote.

It runs the solution and answers with data; it decides nothing. Nothing the judge relies on
lives in this process: no expected value, no test code, no verdict channel. So a solution
that patches this module, the builtins or the whole interpreter can only change what data
it sends back, which is what returning that data would have done. Still, so that a
solution's patches of builtins or json (`builtins.str = ...`) do not garble the answers
it did earn, this program's own work (snapshots, frames) runs with the builtins it found
at import, and with json, os and struct functions taken then.

Roles (the zygote has already set the case's uid, rlimits, cwd, environment and fds):
- "stdio": run the solution as __main__ on the case's stdin; the judge reads stdout.
- "call": load the solution, call its function `fn_name` (or `Solution().fn_name`) with the
  case's arguments, send the return value's snapshot (values.encode) on RESULT_FD.
- "serve": load the solution, send a snapshot of its top-level names, then answer the
  tester's requests (call, getattr, setattr, iter, next, len, getitem, await) on handles,
  until the tester closes its end; what the solution prints during one goes back with the
  answer when the tests redirected that stream.

fds: 0-2 stdio, CONTROL_FD the judge's one message, RESULT_FD answers, REQUEST_FD the
tester's requests ("serve" only).
"""

from __future__ import annotations

import _ast
import builtins
import contextlib
import io
import json
import os
import sys
import types

from sandbox import procutil

from . import subclasses, values
from .identities import Identities, replace_contents

CONTROL_FD = 3
RESULT_FD = 4
REQUEST_FD = 5
SOLUTION_FILENAME = "solution.py"
PREAMBLE_FILENAME = "preamble.py"
STREAMS = ("stdout", "stderr")  # what the tests may redirect, so a request captures
# Taken at import, in the zygote: what this program uses, whatever the solution patches.
PRISTINE_BUILTINS = dict(builtins.__dict__)
_dumps = json.JSONEncoder(ensure_ascii=False).encode
_loads = json.JSONDecoder().decode
_write, _read, _exit = os.write, os.read, os._exit
_StringIO = io.StringIO
_pack, _unpack, _HEADER_SIZE = (
    procutil.FRAME_HEADER.pack,
    procutil.FRAME_HEADER.unpack,
    procutil.FRAME_HEADER.size,
)


@contextlib.contextmanager
def pristine():
    """The builtins as they were before the solution ran, for as long as this program works;
    the solution's own (patched) builtins again when it is the solution's turn."""
    namespace = builtins.__dict__
    theirs = dict(namespace)
    namespace.clear()
    namespace.update(PRISTINE_BUILTINS)
    try:
        yield
    finally:
        namespace.clear()
        namespace.update(theirs)


def main() -> None:
    message = receive(CONTROL_FD)
    os.close(CONTROL_FD)
    if not isinstance(message, dict):
        os._exit(3)
    sys.argv = [SOLUTION_FILENAME]
    role = message["role"]
    if role == "stdio":
        os.close(RESULT_FD)
        scope = {"__name__": "__main__", "__builtins__": builtins, "__file__": SOLUTION_FILENAME}
        run_in(scope, message.get("preamble") or "", message["solution"])
        return
    entry = message.get("fn_name") if role == "call" else None
    module = load(message["solution"], message.get("preamble") or "", entry)
    if role == "call":
        answer_call(module, message["fn_name"], message["args"])
    else:
        serve(module)
    os._exit(0)


def send(message: object) -> None:
    with pristine():
        body = _dumps(message).encode("utf-8", "surrogatepass")
        view = memoryview(_pack(len(body)) + body)
        while view:
            view = view[_write(RESULT_FD, view) :]


def receive(fd: int) -> object:
    """The next frame on fd, or None at its end."""
    with pristine():
        header = _exactly(fd, _HEADER_SIZE)
        if header is None:
            return None
        body = _exactly(fd, _unpack(header)[0])
        return None if body is None else _loads(body.decode("utf-8", "surrogatepass"))


def _exactly(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = _read(fd, min(size - len(data), 1 << 20))
        if not chunk:
            return None
        data += chunk
    return data


def fail(text: str, exc: BaseException | None = None) -> None:
    if exc is not None:
        text = f"{text}: {describe(exc)}"
    send({"fail": text[:300]})
    _exit(1)


def describe(exc: BaseException) -> str:
    try:
        detail = str(exc)
    except BaseException:  # a solution's exception whose __str__ raises
        detail = ""
    name = type(exc).__name__
    return f"{name}: {detail}" if detail else name


def load(solution: str, preamble: str, entry: str | None = None) -> types.ModuleType:
    module = types.ModuleType("solution")
    module.__file__ = SOLUTION_FILENAME
    sys.modules["solution"] = module
    try:
        run_in(module.__dict__, preamble, solution, entry)
    except BaseException as exc:
        fail("the solution did not load", exc)
    return module


def run_in(scope: dict, preamble: str, solution: str, entry: str | None = None) -> None:
    """The reference's preamble, then the solution, in one namespace. Compiled apart: the
    solution's line numbers and tracebacks are its own (solution.py), the preamble's name
    preamble.py, and neither's text can change how the other parses (an unclosed string, a
    `from __future__` line that must come first). dont_inherit: this module's own
    `from __future__ import annotations` must not leak into them (a plain python3 evaluates
    a solution's annotations: `-> List[int]` without the import is a NameError there).

    The preamble's own helper functions stay the preamble's: a solution that redefines them
    (HumanEval/38's `encode_cyclic`, which the tests call to make their input) would pass a
    wrong answer by changing the question. A helper is a top-level function of the preamble
    that returns or yields a value; the others are stubs for the solution to write (a
    docstring, `pass`, `raise NotImplementedError`), and `entry`, the function under test,
    is always the solution's."""
    if preamble:
        exec(compile(preamble, PREAMBLE_FILENAME, "exec", dont_inherit=True), scope)
    helpers = {
        name: scope[name]
        for name in (helpers_of(preamble) if preamble else ())
        if name != entry and isinstance(scope.get(name), types.FunctionType)
    }
    exec(compile(solution, SOLUTION_FILENAME, "exec", dont_inherit=True), scope)
    scope.update(helpers)


def helpers_of(preamble: str) -> list[str]:
    """The names of the preamble's top-level functions that return or yield a value."""
    tree = compile(preamble, PREAMBLE_FILENAME, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
    functions = (_ast.FunctionDef, _ast.AsyncFunctionDef)
    return [n.name for n in tree.body if isinstance(n, functions) and _gives_a_value(n)]


def solutions_in(preamble: str) -> set[str]:
    """The preamble's names that are the solution's in the tests (tester.with_preamble): its
    top-level classes (the types the solution's functions take) and its stubs."""
    tree = compile(preamble, PREAMBLE_FILENAME, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
    kinds = (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef)
    return {n.name for n in tree.body if isinstance(n, kinds)} - set(helpers_of(preamble))


def _gives_a_value(function: _ast.AST) -> bool:
    pending: list = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, _ast.Yield | _ast.YieldFrom):
            return True
        if isinstance(node, _ast.Return) and node.value is not None:
            return True
        for field in node._fields:
            child = getattr(node, field, None)
            if isinstance(child, list):
                pending += [c for c in child if isinstance(c, _ast.AST)]
            elif isinstance(child, _ast.AST):
                pending.append(child)
    return False


def find_function(module: types.ModuleType, name: str):
    function = module.__dict__.get(name)
    solution_class = module.__dict__.get("Solution")
    if function is None and isinstance(solution_class, type):
        function = getattr(solution_class(), name, None)
    return function


def answer_call(module: types.ModuleType, name: str, args: list) -> None:
    function = find_function(module, name)
    if function is None:
        send({"fail": f"the solution defines no function {name!r}"})
        _exit(1)
    try:
        value = function(*args)
    except BaseException as exc:
        fail("the call raised", exc)
    try:
        with pristine():
            snapshot = values.encode(value, lambda _obj: 0)
    except BaseException as exc:
        fail("the return value cannot be compared", exc)
    send({"value": snapshot})


def serve(module: types.ModuleType) -> None:
    handles: dict[int, object] = {}
    numbers: dict[int, int] = {}  # by id: the handles keep their objects alive

    def register(obj: object) -> int:
        # One handle per object, so that the tests' stand-in for it is one object too
        # (`registry.get() is made`).
        number = numbers.get(id(obj))
        if number is None:
            number = numbers[id(obj)] = len(handles) + 1
            handles[number] = obj
        return number

    def resolve(number: int, _kind: str, _truth: object, _awaitable: bool = False) -> object:
        return handles[number]

    with pristine():
        head = subclasses.head_maker(register)
        names = {
            name: describe_name(value, register, Identities(subclass=head))
            for name, value in top_level(module)
        }
        # The containers that crossed, for the whole case (identities.py).
        shared = Identities(subclass=head)
    send({"names": names})
    while True:
        request = receive(REQUEST_FD)
        if request is None:
            return
        captured = {n: _StringIO() for n in request.get("capture") or () if n in STREAMS}
        try:
            with redirected(captured), fed(request, register):
                reply = answer(request, handles, register, resolve, shared)
        except BaseException as exc:
            with pristine():
                # What the call changed before it raised stays changed, as in Python.
                reply = {"raise": raised(exc), "changed": changed_back(shared, register)}
        if captured:
            reply["captured"] = {name: buffer.getvalue() for name, buffer in captured.items()}
        send(reply)


@contextlib.contextmanager
def fed(request: dict, register):
    """`input` (and with "stdin", sys.stdin) asked of the tester while a request runs: the
    tests gave the input (a patched `input`, a StringIO for sys.stdin). Each of "relay",
    [module, name] of a function the tests patched (`mock.patch("builtins.print")`,
    `mock.patch("time.sleep")`), is theirs: the solution's calls of it are made over there
    with its arguments. The solution's own again after it."""
    what = request.get("feed") or ()
    namespace = builtins.__dict__
    theirs_input, theirs_stdin = namespace.get("input"), sys.stdin
    if "input" in what:
        namespace["input"] = asked_input
    if "stdin" in what:
        sys.stdin = AskedStdin()
    replaced = []
    for target in request.get("relay") or ():
        module = sys.modules.get(str(target[0])) if isinstance(target, list) else None
        name = str(target[1]) if module is not None and len(target) == 2 else ""
        if name and hasattr(module, name):
            own = getattr(module, name)
            replaced.append((module, name, own))
            setattr(module, name, relayed_call(register, [module.__name__, name], own))
    try:
        yield
    finally:
        namespace["input"] = theirs_input
        sys.stdin = theirs_stdin
        for module, name, own in reversed(replaced):
            setattr(module, name, own)


def ask_tester(kind: str, prompt: str = "", **fields: object) -> object:
    """What the tests' input (or their patched function) gives for one read or call; what
    it raised, raised here as its builtin kind (the tester answers on REQUEST_FD)."""
    send({"ask": kind, "prompt": prompt, **fields})
    answer = receive(REQUEST_FD)
    if not isinstance(answer, dict):
        _exit(1)  # the tester is gone
    if answer.get("own") is True:
        return OWN
    with pristine():
        raised = answer.get("raise")
        if isinstance(raised, list) and len(raised) == 2:
            kind = getattr(builtins, str(raised[0]), None)
            if not (isinstance(kind, type) and issubclass(kind, BaseException)):
                kind = Exception
            error = kind(str(raised[1]))
        else:
            error = None
            given = answer.get("given")
            value = None if given is None else values.decode(given, None, stdlib=True)
    if error is not None:
        raise error
    return value


# The tester's answer to a relayed call of a spy (`wraps=`): it recorded the call, and the
# solution's own function does the work, here.
OWN = object()


def asked_input(prompt: object = "") -> object:
    line = ask_tester("input", str(prompt))
    if line is None:
        raise EOFError("EOF when reading a line")
    return line


def relayed_call(register, target: list[str], own):
    """A function as the tests patched it: its arguments go to the tester as values (handles
    for the solution's objects) and the tests' stand-in is called with them, the keywords
    the solution gave and no others (a mock records exactly the call); the standard
    streams as the tests' own. A print to another file is the solution's own, as is a call
    whose arguments cannot cross."""

    def call(*args: object, **keywords: object) -> object:
        streams = {id(sys.stdout): "stdout", id(sys.stderr): "stderr"}
        file = keywords.get("file")
        if target == ["builtins", "print"] and file is not None and id(file) not in streams:
            return own(*args, **keywords)
        with pristine():
            try:
                encoded = [values.encode(arg, register) for arg in args]
                named = [
                    [str(k), values.encode(v, register)]
                    for k, v in keywords.items()
                    if id(v) not in streams
                ]
            except values.NotPlain:
                encoded = None
            std = {str(k): streams[id(v)] for k, v in keywords.items() if id(v) in streams}
        if encoded is None:
            return own(*args, **keywords)
        result = ask_tester("call", target=target, args=encoded, kwargs=named, streams=std)
        return own(*args, **keywords) if result is OWN else result

    return call


class AskedStdin(io.TextIOBase):
    """sys.stdin as the tests gave it: each read asked of the tester."""

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:
        return self._ask("readline")

    def read(self, size: int | None = -1) -> str:
        return self._ask("read")

    @staticmethod
    def _ask(kind: str) -> str:
        text = ask_tester(kind)
        return text if isinstance(text, str) else ""


@contextlib.contextmanager
def redirected(buffers: dict[str, io.StringIO]):
    """sys.stdout (or stderr) to its buffer while a request runs: the tests redirected
    theirs (`contextlib.redirect_stdout`) to check what the solution prints. The solution's
    own stream again after it."""
    theirs = {name: getattr(sys, name) for name in buffers}
    for name, buffer in buffers.items():
        setattr(sys, name, buffer)
    try:
        yield
    finally:
        for name, stream in theirs.items():
            setattr(sys, name, stream)


def top_level(module: types.ModuleType) -> list[tuple[str, object]]:
    return [(k, v) for k, v in list(module.__dict__.items()) if not k.startswith("__")]


def describe_name(value: object, register, message: Identities) -> object:
    """What the tester gets for one of the solution's top-level names."""
    if isinstance(value, types.ModuleType):
        return ["module", str(value.__name__)]
    origin = values.stdlib_origin(value)
    if origin is not None and origin[0] in values.SHARED_MODULES:
        return ["stdlib", *origin]  # the tester takes its own copy of it
    try:
        return values.encode(value, register, message)
    except values.NotPlain:
        return ["ref", register(value), type(value).__name__, None]


def raised(exc: BaseException) -> list[str]:
    """[name, module, message, the nearest builtin exception class] of an exception."""
    kind = type(exc)
    base = next((k.__name__ for k in kind.__mro__ if k.__module__ == "builtins"), "BaseException")
    try:
        message = str(exc)[:300]
    except BaseException:  # a solution's exception whose __str__ raises
        message = ""
    return [kind.__name__, str(kind.__module__), message, base]


def answer(request: dict, handles: dict, register, resolve, shared: Identities) -> dict:
    """Do what the tester asks of one of the solution's objects; the reply to send."""
    with pristine():
        op = request["op"]
        target = handles[request["ref"]]
        for number in request.get("forget") or ():
            shared.forget(number)
        mark = shared.count
        try:
            # What the tests changed in containers both sides hold, first (see Identities).
            changes = [
                (number, values.decode_contents(tree, resolve, shared, None, True))
                for number, tree in request.get("changes") or ()
            ]

            def decoded(tree: object) -> object:
                return values.decode(tree, resolve, stdlib=True, identities=shared)

            args = [decoded(a) for a in request.get("args", ())]
            kwargs = {k: decoded(v) for k, v in request.get("kwargs", ())}
            arg = decoded(request["arg"]) if "arg" in request else None
        except Exception as exc:
            # Not taken (the tests' value cannot be rebuilt here): both sides forget what it
            # numbered, and the tests get the error.
            shared.rollback(mark)
            return {"raise": raised(exc), "untaken": True}
        for number, new in changes:
            replace_contents(shared.referenced(number), new)
            shared.synced(number)
        name = str(request.get("name", ""))
    if op == "call":
        result = target(*args, **kwargs)
    elif op == "method":  # of an instance of the solution's subclass of a builtin type
        attribute = special_method(target, name) if is_dunder(name) else getattr(target, name)
        result = attribute(*args, **kwargs) if request.get("call") else attribute
    elif op == "getattr":
        result = getattr(target, name)
    elif op == "setattr":
        setattr(target, name, arg)
        result = None
    elif op == "iter":
        result = iter(target)
    elif op == "next":
        result = next(target)
    elif op == "len":
        result = len(target)
    elif op == "getitem":
        result = target[arg]
    elif op == "await":
        import asyncio  # the solution's own process: what it imports is its business

        result = asyncio.run(_awaited(target))
    else:
        raise ValueError(f"unknown request {op!r}")
    with pristine():
        # A container that crossed before comes back as a reference to the tests' object, and
        # one this request changed sends what it holds now.
        mark = shared.count
        try:
            reply: dict = {"value": values.encode(result, register, shared)}
        except BaseException:
            shared.rollback(mark)  # not sent
            raise
        reply["changed"] = changed_back(shared, register)
    return reply


def changed_back(shared: Identities, register) -> list:
    """[number, what it holds now] of each container both sides hold that this side changed
    since they last synced (after the reply's value, whose new containers it may hold)."""
    changed = []
    for number in shared.changed():
        mark = shared.count
        try:
            contents = values.encode_contents(shared.objects[number], register, shared)
        except values.NotPlain:  # it now holds itself, say: no longer shared, on both sides
            shared.rollback(mark)
            shared.forget(number)
            contents = None
        else:
            shared.synced(number)
        changed.append([number, contents])
    return changed


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name[:2] == name[-2:] == "__"


def special_method(target: object, name: str) -> object:
    """target's special method name as Python's own operators find it: on its class's MRO,
    never on the instance (`str(x)` ignores an `x.__str__` of the instance's own)."""
    klass = type(target)
    for owner in type.__dict__["__mro__"].__get__(klass):
        namespace = type.__dict__["__dict__"].__get__(owner)
        if name in namespace:
            found = namespace[name]
            bind = getattr(type(found), "__get__", None)
            return found if bind is None else bind(found, target, klass)
    raise AttributeError(f"type object {klass.__name__!r} has no attribute {name!r}")


async def _awaited(awaitable):
    return await awaitable
