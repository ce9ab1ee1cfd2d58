"""The program of a solution's process: one per case, forked from the zygote.

It runs the solution and answers with data; it decides nothing. Nothing the judge relies on
lives in this process: no expected value, no test code, no verdict channel. So a solution
that patches this module, the builtins or the whole interpreter can only change what data
it sends back, which is what returning that data would have done.

Roles (the zygote has already set the case's uid, rlimits, cwd, environment and fds):
- "stdio": run the solution as __main__ on the case's stdin; the judge reads stdout.
- "call": load the solution, call its function `fn_name` (or `Solution().fn_name`) with the
  case's arguments, send the return value's snapshot (values.encode) on RESULT_FD.
- "serve": load the solution, send a snapshot of its top-level names, then answer the
  tester's requests (call, getattr, iter, next, len, getitem, contains, await) on handles,
  until the tester closes its end.

fds: 0-2 stdio, CONTROL_FD the judge's one message, RESULT_FD answers, REQUEST_FD the
tester's requests ("serve" only).
"""

from __future__ import annotations

import asyncio
import builtins
import os
import sys
import types

from sandbox import procutil

from . import values

CONTROL_FD = 3
RESULT_FD = 4
REQUEST_FD = 5
SOLUTION_FILENAME = "solution.py"
# Arguments a call may change in place; their new contents go back to the tester.
MUTABLE = (list, dict, set, bytearray)


def main() -> None:
    message = procutil.read_frame(CONTROL_FD)
    os.close(CONTROL_FD)
    if not isinstance(message, dict):
        os._exit(3)
    sys.argv = [SOLUTION_FILENAME]
    role = message["role"]
    if role == "stdio":
        os.close(RESULT_FD)
        scope = {"__name__": "__main__", "__builtins__": builtins, "__file__": SOLUTION_FILENAME}
        exec(compile(message["solution"], SOLUTION_FILENAME, "exec"), scope)
        return
    module = load(message["solution"], message.get("preamble") or "")
    if role == "call":
        answer_call(module, message["fn_name"], message["args"])
    else:
        serve(module)
    os._exit(0)


def send(message: object) -> None:
    procutil.write_all(RESULT_FD, procutil.encode_frame(message))


def fail(text: str, exc: BaseException | None = None) -> None:
    if exc is not None:
        text = f"{text}: {describe(exc)}"
    send({"fail": text[:300]})
    os._exit(1)


def describe(exc: BaseException) -> str:
    try:
        detail = str(exc)
    except BaseException:  # a solution's exception whose __str__ raises
        detail = ""
    name = type(exc).__name__
    return f"{name}: {detail}" if detail else name


def load(solution: str, preamble: str) -> types.ModuleType:
    module = types.ModuleType("solution")
    module.__file__ = SOLUTION_FILENAME
    sys.modules["solution"] = module
    try:
        code = compile(
            preamble + "\n" + solution if preamble else solution, SOLUTION_FILENAME, "exec"
        )
        exec(code, module.__dict__)
    except BaseException as exc:
        fail("the solution did not load", exc)
    return module


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
        os._exit(1)
    try:
        value = function(*args)
    except BaseException as exc:
        fail("the call raised", exc)
    try:
        snapshot = values.encode(value, lambda _obj: 0)
    except BaseException as exc:
        fail("the return value cannot be compared", exc)
    send({"value": snapshot})


def serve(module: types.ModuleType) -> None:
    handles: dict[int, object] = {}

    def register(obj: object) -> int:
        handles[len(handles) + 1] = obj
        return len(handles)

    def resolve(number: int, _kind: str, _truth: object) -> object:
        return handles[number]

    names = {}
    for name, value in list(module.__dict__.items()):
        if name.startswith("__"):
            continue
        if isinstance(value, types.ModuleType):
            names[name] = ["module", str(value.__name__)]
            continue
        origin = stdlib_origin(value)
        if origin is not None:
            names[name] = ["stdlib", *origin]  # the tester takes its own copy of it
            continue
        try:
            names[name] = values.encode(value, register)
        except values.NotPlain:
            names[name] = ["ref", register(value), type(value).__name__, None]
    send({"names": names})
    while True:
        request = procutil.read_frame(REQUEST_FD)
        if request is None:
            return
        try:
            reply = answer(request, handles, register, resolve)
        except BaseException as exc:
            reply = {"raise": raised(exc)}
        send(reply)


def raised(exc: BaseException) -> list[str]:
    """[name, module, message, the nearest builtin exception class] of an exception."""
    kind = type(exc)
    base = next((k.__name__ for k in kind.__mro__ if k.__module__ == "builtins"), "BaseException")
    try:
        message = str(exc)[:300]
    except BaseException:  # a solution's exception whose __str__ raises
        message = ""
    return [kind.__name__, str(kind.__module__), message, base]


def stdlib_origin(value: object) -> tuple[str, str] | None:
    """(module, name) when value is a class or function of the standard library, such as
    `Counter` or `sqrt` imported by the solution; else None."""
    if not isinstance(value, type | types.BuiltinFunctionType | types.FunctionType):
        return None
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(name, str)) or "." in name:
        return None
    if module.partition(".")[0] not in sys.stdlib_module_names and module != "builtins":
        return None
    home = sys.modules.get(module)
    return (module, name) if getattr(home, name, None) is value else None


def answer(request: dict, handles: dict, register, resolve) -> dict:
    op = request["op"]
    target = handles[request["ref"]]
    if op == "call":
        args = [values.decode(a, resolve) for a in request["args"]]
        kwargs = {k: values.decode(v, resolve) for k, v in request["kwargs"]}
        result = target(*args, **kwargs)
        changed = [
            [i, values.encode(a, register)] for i, a in enumerate(args) if type(a) in MUTABLE
        ]
        changed += [
            [k, values.encode(v, register)] for k, v in kwargs.items() if type(v) in MUTABLE
        ]
        return {"value": values.encode(result, register), "changed": changed}
    if op == "getattr":
        result = getattr(target, request["name"])
    elif op == "iter":
        result = iter(target)
    elif op == "next":
        result = next(target)
    elif op == "len":
        result = len(target)
    elif op == "getitem":
        result = target[values.decode(request["arg"], resolve)]
    elif op == "contains":
        result = values.decode(request["arg"], resolve) in target
    elif op == "await":
        result = asyncio.run(_awaited(target))
    else:
        raise ValueError(f"unknown request {op!r}")
    return {"value": values.encode(result, register)}


async def _awaited(awaitable):
    return await awaitable
