"""The judge that runs inside the sandbox and decides which code cases pass.

This file is sent, as it is, as the `code` of ONE sandbox job per completion; it must stay
stdlib-only. The solution, the cases and the expected answers arrive as JSON on the job's
stdin, are read once into this process's memory, and are never written to disk.

Verdicts come from outside the solution's reach:

- Every case runs the solution in a fresh child interpreter with its own pipes (close_fds,
  its own session). This process judges; a child's exit code or stdout is never the verdict.
- stdin/stdout and functional cases: the expected outputs stay in this process. The child
  gets the input (or the arguments) only and reports a return value as plain JSON.
- test-code cases: the child first runs the solution and says "ready"; only then does it get
  the test code and a fresh per-case nonce over a pipe. It echoes the nonce only when the
  test returned normally, so an exit, a kill or a crash before that is a failure.
- This process is not dumpable (so same-uid children cannot ptrace it or read its memory or
  /proc/<pid>/fd) and is a child subreaper (so daemons a case leaves behind come back to it
  and are killed before the next case).
- It prints one line `{"rewardd_started": token}` when it starts and one verdict line
  `{"rewardd_verdict": token, "cases": [...]}` at the end. The token comes from stdin; a
  verdict without it is not ours.

Usage: python3 code_harness.py < payload.json  (see rewardd.rewards.code for the payload).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
READ_CHUNK = 65536
# What a child may send back before it is killed as a flood.
MAX_RESULT_BYTES = 8 * 1024 * 1024
MAX_STDOUT_BYTES = 16 * 1024 * 1024
STDERR_TAIL_BYTES = 2048
# Once a child's main process is gone, how long its pipes may take to drain.
DRAIN_GRACE_S = 0.05
# Files named only to show up in tracebacks and to let the guard recognise test code.
TEST_FILENAME = "<rewardd-tests>"
SOLUTION_FILENAME = "solution.py"

# The program each case's child interpreter runs (python3 -I -c CHILD ctrl_fd result_fd).
# Everything lives inside _child() so that the solution, which can rebind module globals
# and patch the builtins module, cannot reach the helpers by name: they are closures over
# builtins captured before the solution ran.
CHILD = r"""
import builtins
# This program's own functions look builtins up in a private snapshot, so a solution that
# patches the builtins module (exec, compile, len, ...) cannot change what the judge calls.
__builtins__ = dict(builtins.__dict__)


def _child():
    import json, os, sys
    ctrl_fd, result_fd = int(sys.argv[1]), int(sys.argv[2])
    B = dict(builtins.__dict__)  # pristine builtins for the test code
    read, write, exit_now = os.read, os.write, os._exit
    _type, _len, _bool, _str, _repr = B["type"], B["len"], B["bool"], B["str"], B["repr"]
    _isinstance, _issubclass, _any, _all = B["isinstance"], B["issubclass"], B["any"], B["all"]
    _BaseException, _AssertionError = B["BaseException"], B["AssertionError"]
    _dict_items = dict.items
    dumps = json.dumps
    # The C scanner, made now: json's Python layer looks builtins up in the (patchable)
    # builtins module, the scanner does not.
    scan_once = json.JSONDecoder().scan_once

    def send(data):
        view = memoryview(data)
        while view:
            view = view[write(result_fd, view):]

    def recv():
        def exactly(n):
            buf = b""
            while _len(buf) < n:
                chunk = read(ctrl_fd, min(n - _len(buf), 1 << 20))
                if not chunk:
                    exit_now(3)
                buf += chunk
            return buf
        return scan_once(exactly(int(exactly(12))).decode("utf-8", "surrogatepass"), 0)[0]

    def fail(stage, exc):
        text = _type(exc).__name__
        try:
            detail = _str(exc)
            line, tb = None, exc.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == message.get("test_filename"):
                    line = tb.tb_lineno
                tb = tb.tb_next
        except _BaseException:
            detail, line = "", None
        if detail:
            text += ": " + detail
        if line is not None:
            text += " (test line " + _str(line) + ")"
        send(("fail " + stage + ": " + text[:300]).encode("utf-8", "replace"))
        exit_now(1)

    message = recv()
    import resource
    memory = message["memory_mb"] * 1024 * 1024
    for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CORE, 0)):
        soft, hard = resource.getrlimit(limit)
        if hard == resource.RLIM_INFINITY or value < hard:
            resource.setrlimit(limit, (value, value))
    sys.argv = [message["filename"]]
    mode = message["mode"]

    if mode == "stdio":
        os.close(ctrl_fd)
        os.close(result_fd)
        source = message.pop("solution")
        scope = {"__name__": "__main__", "__builtins__": builtins}
        exec(compile(source, message["filename"], "exec"), scope)
        return

    import types
    module = types.ModuleType("solution")
    module.__file__ = message["filename"]
    module.__builtins__ = builtins  # the real module: the solution may patch its own world

    if mode == "call":
        os.close(ctrl_fd)
        try:
            exec(compile(message["solution"], message["filename"], "exec"), module.__dict__)
        except _BaseException as exc:
            fail("the solution did not load", exc)
        name = message["fn_name"]
        function = module.__dict__.get(name)
        if function is None and _isinstance(module.__dict__.get("Solution"), _type):
            function = getattr(module.__dict__["Solution"](), name, None)
        if function is None:
            send(("fail the solution defines no function " + _repr(name)).encode())
            exit_now(1)
        try:
            value = function(*message["args"])
        except _BaseException as exc:
            fail("the call raised", exc)

        def plain_only(obj):
            raise TypeError("a " + _type(obj).__name__ + " is not plain JSON data")

        try:
            data = dumps(value, default=plain_only, allow_nan=True)
        except _BaseException as exc:
            fail("the return value", exc)
        send(b"value " + data.encode("utf-8", "surrogatepass"))
        exit_now(0)

    # mode == "test": strict comparisons and a guard against peeking at the test code.
    import operator
    ops = {
        "Eq": operator.eq, "NotEq": operator.ne, "Lt": operator.lt, "LtE": operator.le,
        "Gt": operator.gt, "GtE": operator.ge, "In": operator.contains,
        "NotIn": lambda a, b: not operator.contains(b, a), "Is": operator.is_,
        "IsNot": operator.is_not,
    }
    import collections
    # Exact types whose comparisons are C code no solution can patch. `type` stands for
    # classes with the plain metaclass, which compare by identity.
    scalars = (
        _type(None), B["bool"], B["int"], B["float"], B["complex"], B["str"], B["bytes"],
        B["range"], B["type"],
    )
    views = (_type({}.keys()), _type({}.values()), _type({}.items()))
    sequences = (B["list"], B["tuple"], B["set"], B["frozenset"], collections.deque, *views)
    mappings = (B["dict"], collections.defaultdict, collections.OrderedDict)

    def plain(value, depth=0):
        # Exact builtin types only: their __eq__ cannot be patched, a subclass's can.
        kind = _type(value)
        if _any(kind is s for s in scalars):
            return True
        if depth > 64:
            return False
        if _any(kind is s for s in sequences):
            return _all(plain(item, depth + 1) for item in value)
        if _any(kind is m for m in mappings):
            return _all(plain(k, depth + 1) and plain(v, depth + 1) for k, v in _dict_items(value))
        return False

    def require_plain(*values):
        for value in values:
            if not plain(value):
                raise _AssertionError(
                    "refusing to compare a " + _type(value).__name__
                    + ": only plain builtin values (numbers, strings, lists, dicts, ...) compare"
                )

    def strict_compare(names, *operands):
        for i, name in enumerate(names):
            left, right = operands[i], operands[i + 1]
            if name == "In" or name == "NotIn":
                require_plain(left, right)
                outcome = ops["In"](right, left) if name == "In" else not ops["In"](right, left)
            elif name == "Is" or name == "IsNot":
                outcome = ops[name](left, right)
            else:
                require_plain(left, right)
                outcome = ops[name](left, right)
            if not outcome:
                return False
        return True

    def strict_truth(value):
        require_plain(value)
        return _bool(value)

    def close_enough(first, second, places=None, delta=None):
        require_plain(first, second)
        if first == second:
            return True
        if delta is not None:
            return B["abs"](first - second) <= delta
        return B["round"](B["abs"](first - second), 7 if places is None else places) == 0

    class Raises:
        def __init__(self, expected):
            self.expected = expected

        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            if kind is None:
                raise _AssertionError(_repr(self.expected) + " not raised")
            self.exception = exc
            return _issubclass(kind, self.expected)

    def assert_method(name, *args, **kwargs):
        kwargs.pop("msg", None)
        if name in ("assertRaises",):
            context = Raises(args[0])
            if _len(args) == 1:
                return context
            with context:
                args[1](*args[2:], **kwargs)
            return None
        checks = {
            "assertEqual": lambda a, b: strict_compare(("Eq",), a, b),
            "assertNotEqual": lambda a, b: strict_compare(("NotEq",), a, b),
            "assertTrue": lambda a: strict_truth(a),
            "assertFalse": lambda a: not strict_truth(a),
            "assertIs": lambda a, b: a is b,
            "assertIsNot": lambda a, b: a is not b,
            "assertIsNone": lambda a: a is None,
            "assertIsNotNone": lambda a: a is not None,
            "assertIn": lambda a, b: strict_compare(("In",), a, b),
            "assertNotIn": lambda a, b: strict_compare(("NotIn",), a, b),
            "assertLess": lambda a, b: strict_compare(("Lt",), a, b),
            "assertLessEqual": lambda a, b: strict_compare(("LtE",), a, b),
            "assertGreater": lambda a, b: strict_compare(("Gt",), a, b),
            "assertGreaterEqual": lambda a, b: strict_compare(("GtE",), a, b),
            "assertIsInstance": lambda a, b: _isinstance(a, b),
            "assertNotIsInstance": lambda a, b: not _isinstance(a, b),
            "assertAlmostEqual": lambda a, b, places=None, delta=None: close_enough(
                a, b, places, delta
            ),
            "assertNotAlmostEqual": lambda a, b, places=None, delta=None: not close_enough(
                a, b, places, delta
            ),
        }
        for alias in ("List", "Tuple", "Dict", "Set", "Sequence", "MultiLine"):
            checks["assert" + alias + "Equal"] = checks["assertEqual"]
        if not checks[name](*args, **kwargs):
            raise _AssertionError(name + " failed")
        return None

    def fail_now(*args, **kwargs):
        raise _AssertionError(_str(args[0]) if args else "fail() called")

    # The guard: an audit hook installed before the solution runs; the solution cannot
    # remove it or add its own. During the test phase it hides the test code's code
    # objects (its constants are the expected answers) and the ways to walk other threads
    # or the heap. Honest limit: frame locals and f_back are not audited by CPython.
    state = {"testing": False, "busy": False}
    protected = ("<string>", message["test_filename"])
    blocked_while_testing = (
        "sys._current_frames", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
        "sys.settrace", "sys.setprofile",
    )
    code_attributes = ("f_code", "__code__", "gi_code", "cr_code", "ag_code", "tb_frame",
                       "gi_frame", "cr_frame", "ag_frame", "f_back")

    def code_file(obj):
        for attribute in ("f_code", "__code__", "gi_code", "cr_code", "ag_code", "tb_frame"):
            inner = getattr(obj, attribute, None)
            if inner is not None:
                return code_file(inner)
        return getattr(obj, "co_filename", None)

    def guard(event, args):
        if event == "sys.addaudithook":
            raise RuntimeError("audit hooks are reserved for the judge")
        if not state["testing"] or state["busy"]:
            return
        if event in blocked_while_testing or event.startswith("ctypes."):
            raise RuntimeError(event + " is not allowed while the tests run")
        if event == "sys._getframe" or (
            event == "object.__getattr__" and args[1] in code_attributes
        ):
            state["busy"] = True
            try:
                target = args[0] if event == "sys._getframe" else getattr(args[0], args[1])
                hidden = code_file(target) in protected
            except _BaseException:
                hidden = False
            finally:
                state["busy"] = False
            if hidden and event == "sys._getframe":
                raise ValueError("call stack is not deep enough")
            if hidden:
                raise AttributeError(args[1] + " of the test code is hidden")

    sys.addaudithook(guard)
    sys.modules["solution"] = module
    try:
        exec(compile(message["solution"], message["filename"], "exec"), module.__dict__)
    except _BaseException as exc:
        fail("the solution did not load", exc)
    if _len(sys._current_frames()) > 1:
        send(b"fail the solution left threads running before the tests")
        exit_now(1)
    sys.settrace(None)
    sys.setprofile(None)
    for name in [n for n in sys.modules if n == "unittest" or n.startswith("unittest.")]:
        del sys.modules[name]  # re-imported fresh from disk by the test code
    send(b"ready\n")
    test = recv()
    nonce = test.pop("nonce")
    # The solution's names, except dunders and names that would shadow a builtin the tests
    # call (a solution-level `def len(x): return 3` must not answer the tests' len()).
    scope = {
        k: v for k, v in _dict_items(module.__dict__) if not k.startswith("__") and k not in B
    }
    scope.update(
        __name__="rewardd_tests", __builtins__=B, __rewardd_cmp__=strict_compare,
        __rewardd_truth__=strict_truth, __rewardd_assert__=assert_method,
        __rewardd_fail__=fail_now,
    )
    state["testing"] = True
    try:
        exec(compile(test["source"], message["test_filename"], "exec"), scope)
        target, names = None, test["call"]
        if _len(names) == 1:
            target = scope[names[0]]
        elif _len(names) == 2:
            cls = scope[names[0]]
            function = None
            for klass in cls.__mro__:
                if names[1] in klass.__dict__:
                    function = klass.__dict__[names[1]]
                    break
            is_case = _any(k.__name__ == "TestCase" for k in cls.__mro__)
            instance = cls(names[1]) if is_case else cls()
            for hook in ("setUpClass",):
                if hasattr(cls, hook):
                    getattr(cls, hook)()
            if hasattr(instance, "setUp"):
                instance.setUp()
            elif hasattr(instance, "setup_method"):
                instance.setup_method(function)

            def target(function=function, instance=instance):
                outcome = function(instance)
                if test["is_async"]:
                    B["__import__"]("asyncio").run(outcome)
                if hasattr(instance, "tearDown"):
                    instance.tearDown()
        if target is not None:
            outcome = target()
            if test["is_async"] and _len(names) == 1:
                B["__import__"]("asyncio").run(outcome)
    except _BaseException as exc:
        state["testing"] = False
        fail("the test failed", exc)
    state["testing"] = False
    send(b"pass " + nonce.encode())
    exit_now(0)


_child()
"""


def main() -> None:
    payload = json.loads(sys.stdin.buffer.read())
    # Done with stdin; /dev/null keeps fd 0 taken so no later pipe lands on it.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    token = payload["token"]
    hardening = harden()
    emit({"rewardd_started": token, "hardening": hardening})
    try:
        results = judge_all(payload)
    except Exception as exc:  # a judge bug: report it, never a made-up verdict
        emit({"rewardd_internal_error": token, "message": f"{type(exc).__name__}: {exc}"})
        return
    emit({"rewardd_verdict": token, "cases": results})


def emit(line: dict) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def harden() -> dict[str, bool]:
    """Make this process unreadable to its children and the reaper of their orphans."""
    done = {"not_dumpable": False, "subreaper": False}
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        done["not_dumpable"] = libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
        done["subreaper"] = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (ImportError, OSError, AttributeError):
        pass
    return done


def judge_all(payload: dict) -> list[dict]:
    deadline = time.monotonic() + float(payload["budget_s"])
    results = []
    for case in payload["cases"]:
        left = deadline - time.monotonic()
        if left <= 0:
            results.append(verdict(case, False, "not run: the time budget of the job ran out"))
            continue
        limit = min(float(case["timeout_s"]), left)
        started = time.monotonic()
        passed, reason = judge_case(payload, case, limit)
        result = verdict(case, passed, reason)
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results.append(result)
    return results


def verdict(case: dict, passed: bool, reason: str) -> dict:
    return {"name": case["name"], "passed": passed, "reason": reason[:300]}


def judge_case(payload: dict, case: dict, limit_s: float) -> tuple[bool, str]:
    mode = payload["mode"]
    first = {
        "mode": mode,
        "solution": payload["solution"],
        "memory_mb": int(payload["memory_mb"]),
        "filename": SOLUTION_FILENAME,
        "test_filename": TEST_FILENAME,
    }
    if mode == "call":
        first.update(fn_name=payload["fn_name"], args=case["args"])
    second = None
    if mode == "test":
        nonce = secrets.token_hex(16)
        second = {
            "source": payload["sources"][case["source"]],
            "call": case["call"],
            "is_async": case.get("is_async", False),
            "nonce": nonce,
        }
    stdin = case["input"].encode("utf-8", "surrogatepass") if mode == "stdio" else b""
    run = run_child(frame(first), frame(second) if second else None, stdin, limit_s)

    if mode == "stdio":
        if run.problem:
            return False, run.problem
        if run.returncode != 0:
            return False, f"exited with status {run.returncode}: {run.stderr_tail()}"
        got = run.stdout.decode("utf-8", "replace")
        if same_lines(got, case["output"]):
            return True, "output matches"
        return False, f"wrong output: got {clip(got)!r}, expected {clip(case['output'])!r}"

    report = bytes(run.result)
    if mode == "call":
        if report.startswith(b"value "):
            try:
                value = json.loads(report[6:])
            except ValueError:
                return False, "the child sent an unreadable return value"
            if json_equal(value, case["expected"]):
                return True, "return value matches"
            return (
                False,
                f"wrong return value: got {clip(value)!r}, expected {clip(case['expected'])!r}",
            )
        return False, run.problem or describe_failure(report, run)

    expected = f"pass {second['nonce']}".encode()
    if report.endswith(expected) and report.startswith(b"ready\n"):
        return True, "test passed"
    if run.problem and not report.startswith(b"ready\n"):
        return False, f"{run.problem} before the tests ran"
    if not report.startswith(b"ready\n") and not report.startswith(b"fail"):
        return False, f"exited before the tests ran (status {run.returncode}): {run.stderr_tail()}"
    return False, run.problem or describe_failure(report.removeprefix(b"ready\n"), run)


def describe_failure(report: bytes, run: ChildRun) -> str:
    if report.startswith(b"fail "):
        return report[5:].decode("utf-8", "replace")
    return f"no verdict from the test run (the process exited with status {run.returncode})"


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode("utf-8", "surrogatepass")
    return b"%012d" % len(body) + body


class ChildRun:
    def __init__(self) -> None:
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.result = bytearray()
        self.returncode: int | None = None
        self.problem: str | None = None

    def stderr_tail(self) -> str:
        lines = bytes(self.stderr[-STDERR_TAIL_BYTES:]).decode("utf-8", "replace").strip()
        return lines.splitlines()[-1] if lines else "no error output"


def run_child(first: bytes, second: bytes | None, stdin: bytes, limit_s: float) -> ChildRun:
    """Run one case's child; `second` goes down the control pipe once the child says ready."""
    run = ChildRun()
    work_dir = tempfile.mkdtemp(prefix="case-")
    ctrl_r, ctrl_w = os.pipe()
    result_r, result_w = os.pipe()
    started = time.monotonic()
    deadline = started + limit_s
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-c", CHILD, str(ctrl_r), str(result_w)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(ctrl_r, result_w),
            close_fds=True,
            start_new_session=True,
            cwd=work_dir,
            env=child_env(work_dir),
        )
    except OSError as exc:
        for fd in (ctrl_r, ctrl_w, result_r, result_w):
            os.close(fd)
        shutil.rmtree(work_dir, ignore_errors=True)
        run.problem = f"could not start the case: {exc}"
        return run
    os.close(ctrl_r)
    os.close(result_w)
    # Each fd is closed once, by its owner: a second close could hit a reused number.
    owners = {f.fileno(): f for f in (proc.stdin, proc.stdout, proc.stderr)}
    open_fds = {*owners, ctrl_w, result_r}

    def close(fd: int) -> None:
        if fd in open_fds:
            open_fds.discard(fd)
            with contextlib.suppress(OSError):
                owners[fd].close() if fd in owners else os.close(fd)

    streams = {
        proc.stdout.fileno(): (run.stdout, MAX_STDOUT_BYTES),
        proc.stderr.fileno(): (run.stderr, MAX_STDOUT_BYTES),
        result_r: (run.result, MAX_RESULT_BYTES),
    }
    outbox = {proc.stdin.fileno(): memoryview(stdin), ctrl_w: memoryview(first)}
    keep_open = {ctrl_w} if second is not None else set()
    sel = selectors.DefaultSelector()
    for fd in (*streams, *outbox):
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ if fd in streams else selectors.EVENT_WRITE)
    drain_until = None
    try:
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                run.problem = f"timed out after {limit_s:.1f} s"
                break
            if drain_until is not None and now >= drain_until:
                break
            wait = min(deadline, drain_until or deadline, now + 0.05) - now
            for key, _ in sel.select(max(wait, 0)):
                fd = key.fd
                if fd in outbox:
                    try:
                        sent = os.write(fd, outbox[fd][:READ_CHUNK])
                        outbox[fd] = outbox[fd][sent:]
                    except BlockingIOError:
                        continue
                    except OSError:  # the child closed it: it wants no more
                        outbox[fd] = outbox[fd][:0]
                        keep_open.discard(fd)
                    if not outbox[fd]:
                        sel.unregister(fd)
                        if fd not in keep_open:
                            close(fd)
                    continue
                try:
                    data = os.read(fd, READ_CHUNK)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(fd)
                    continue
                buffer, cap = streams[fd]
                if fd == proc.stderr.fileno() and len(buffer) > 2 * STDERR_TAIL_BYTES:
                    del buffer[:-STDERR_TAIL_BYTES]
                buffer += data
                if len(buffer) > cap:
                    run.problem = "flooded its output"
                    break
                if (
                    second is not None
                    and fd == result_r
                    and len(buffer) >= 6
                    and not buffer.startswith((b"ready\n", b"fail "))
                ):
                    run.problem = "wrote out of turn into the judge's pipe"
                    break
                if second is not None and fd == result_r and buffer.startswith(b"ready\n"):
                    # The solution has run; only now may the test code leave this process.
                    keep_open.discard(ctrl_w)
                    if ctrl_w in open_fds:
                        pending = bytes(outbox.get(ctrl_w, b""))
                        outbox[ctrl_w] = memoryview(pending + second)
                        if ctrl_w not in sel.get_map():
                            sel.register(ctrl_w, selectors.EVENT_WRITE)
                    second = None
            if run.problem:
                break
            if drain_until is None and proc.poll() is not None:
                drain_until = time.monotonic() + DRAIN_GRACE_S
    finally:
        sel.close()
        kill_everything(proc)
        for fd in list(open_fds):
            close(fd)
        shutil.rmtree(work_dir, ignore_errors=True)
    run.returncode = proc.returncode
    if run.problem is None and run.returncode is not None and run.returncode < 0:
        signame = signal.Signals(-run.returncode).name if -run.returncode in _SIGNALS else ""
        run.problem = f"killed by signal {-run.returncode} {signame}".strip()
    return run


_SIGNALS = {s.value for s in signal.Signals}


def child_env(work_dir: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": work_dir,
        "TMPDIR": work_dir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MALLOC_ARENA_MAX": "2",
    }


def kill_everything(proc: subprocess.Popen) -> None:
    """Kill the case's process group, then every orphan that was reparented to us."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(200):
        strays = children_of(os.getpid())
        if not strays:
            return
        for pid in strays:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        reap()
        time.sleep(0.002)


def reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def children_of(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 1 and int(fields[1]) == parent:
            found.append(int(entry))
    return found


def same_lines(got: str, expected: str) -> bool:
    """Line by line, trailing white space ignored (and trailing blank lines with it)."""
    return lines_of(got) == lines_of(expected)


def lines_of(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def json_equal(got: object, expected: object, tolerance: float = 1e-6) -> bool:
    """JSON equality with numbers compared to `tolerance` (absolute or relative)."""
    if isinstance(got, bool) or isinstance(expected, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(got, int | float) and isinstance(expected, int | float):
        if isinstance(got, int) and isinstance(expected, int):
            return got == expected
        difference = abs(got - expected)
        return difference <= tolerance or difference <= tolerance * abs(expected)
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(map(json_equal, got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(json_equal(got[k], expected[k]) for k in got)
    return type(got) is type(expected) and got == expected


def clip(value: object, limit: int = 80) -> object:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."


if __name__ == "__main__":
    main()
