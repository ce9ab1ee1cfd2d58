"""The judge that runs inside the sandbox and decides which code cases pass.

This file is sent, as it is, as the `code` of ONE sandbox job per completion; it must stay
stdlib-only. The solution, the cases and the expected answers arrive as JSON on the job's
stdin, are read once into this process's memory, and are never written to disk.

Verdicts come from outside the solution's reach:

- Every case runs the solution in its own process with its own pipes, its own session and
  an empty work dir. This process judges; a case's exit code or stdout is never the verdict.
- stdin/stdout and functional cases: the expected outputs stay in this process. The case
  gets the input (or the arguments) only and reports a return value as plain JSON.
- test-code cases: the case first runs the solution and says "ready"; only then does it get
  the test code and a fresh per-case nonce over a pipe. It echoes the nonce only when the
  test returned normally, so an exit, a kill or a crash before that is a failure.
- This process is not dumpable (so same-uid cases cannot ptrace it or read its memory or
  /proc/<pid>/fd) and is a child subreaper (so daemons a case leaves behind come back to it
  and are killed before the next case).
- It prints one line `{"rewardd_started": token}` when it starts and one verdict line
  `{"rewardd_verdict": token, "cases": [...]}` at the end. The token comes from stdin; a
  verdict without it is not ours.

Case processes come from a zygote: a clean `python3 -I` interpreter started BEFORE this
process reads its stdin (so it never holds the solution, the tests, the answers or a nonce),
which pre-imports what a case needs and forks one process per case on request. A case
process is the zygote's copy, made into what a fresh `python3 -I -c CHILD` would be before
any of the solution reaches it; nothing flows back into the zygote. The zygote is not
dumpable, blocks every signal it can, and is checked after each case: a case that signalled,
stopped, killed or re-limited it fails, and it is replaced. When no zygote can run, each case
starts a fresh interpreter, as before.

Usage: python3 code_harness.py < payload.json  (see rewardd.rewards.code for the payload).
"""

from __future__ import annotations

import _socket
import array
import contextlib
import json
import os
import resource
import selectors
import signal
import sys
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
# How long the zygote may take to start (normally about 20 ms) and to answer a fork request
# (well under a millisecond). Both waits come out of the job's 5 s of slack, not out of a
# case's time: past them, cases start fresh interpreters instead.
ZYGOTE_START_TIMEOUT_S = 2.0
ZYGOTE_REPLY_TIMEOUT_S = 2.0
# Fork requests a zygote may fail (not through a case) before cases go back to fresh ones.
ZYGOTE_MAX_FAILURES = 2
# Files named only to show up in tracebacks and to let the guard recognise test code.
TEST_FILENAME = "<rewardd-tests>"
SOLUTION_FILENAME = "solution.py"
# A case's pipes, in the order they are handed to its process; a zygote-forked case gets them
# as fds 0-4.
CASE_FDS = ("stdin", "stdout", "stderr", "ctrl", "result")

# The program of each case (python3 -I -c CHILD ctrl_fd result_fd, or forked from the zygote).
# Everything lives inside _child() so that the solution, which can rebind module globals
# and patch the builtins module, cannot reach the helpers by name: they are closures over
# builtins captured before the solution ran.
CHILD_BODY = r"""
import builtins
# This program's own functions look builtins up in a private snapshot, so a solution that
# patches the builtins module (exec, compile, len, ...) cannot change what the judge calls.
__builtins__ = dict(builtins.__dict__)


def _child(ctrl_fd, result_fd):
    import json, os, sys
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


"""
CHILD = CHILD_BODY + '_child(*map(int, __import__("sys").argv[1:3]))\n'

# The zygote: CHILD's definitions, then a loop that forks a case process per request. It
# starts before the judge reads the payload and never receives any of it: a request carries
# only the case's work dir, its environment and its five pipes (SCM_RIGHTS).
ZYGOTE = (
    CHILD_BODY
    + r"""
def _zygote():
    import _socket, array, ctypes, os, signal, sys
    import collections, fcntl, json, operator, resource, types  # what a case imports: once
    sock = _socket.socket(fileno=int(sys.argv[1]))
    libc = ctypes.CDLL(None, use_errno=True)
    # Cases run under this uid: not dumpable, they cannot ptrace it or read its memory.
    if libc.prctl(4, 0, 0, 0, 0) != 0:
        sock.send(b"error: prctl(PR_SET_DUMPABLE, 0) failed")
        os._exit(1)
    # Nothing a case sends can change what it does: signals stay pending, where the judge
    # sees them. SIGKILL and SIGSTOP cannot be blocked; the judge sees their effect.
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.valid_signals()) - {signal.SIGCHLD})
    sock.send(b"ready")
    while True:
        fds = array.array("i")
        data, ancillary, flags, _ = sock.recvmsg(1 << 16, _socket.CMSG_SPACE(8 * fds.itemsize))
        for level, kind, blob in ancillary:
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                fds.frombytes(blob[: len(blob) - len(blob) % fds.itemsize])
        fds = list(fds)
        if not data:
            os._exit(0)  # the judge is gone
        pid, report_r, report_w, middle, request = b"", -1, -1, -1, None
        try:
            request = json.loads(data)
            if len(fds) == 5 and not flags & _socket.MSG_CTRUNC:
                report_r, report_w = os.pipe()
                middle = os.fork()
        except Exception:
            pass
        if middle == 0:
            # The middle process forks the case and exits at once, so that the case's parent
            # becomes the judge (a child subreaper), which waits for it itself.
            case = -1
            try:
                case = os.fork()
                if case > 0:
                    os.write(report_w, b"%d" % case)
            except BaseException:
                pass
            if case != 0:
                os._exit(0)
            return sock, fds, request, libc
        for fd in (*fds, report_w):
            if fd >= 0:
                os.close(fd)
        if middle > 0:
            os.waitpid(middle, 0)
            pid = os.read(report_r, 32)
        if report_r >= 0:
            os.close(report_r)
        sock.send(b"pid " + pid if pid else b"error: could not fork the case")
        del request, fds, data, ancillary


def _become_case(sock, fds, request, libc):
    # A copy of the zygote; the solution has not arrived. Make it what `python3 -I -c CHILD`
    # started by the judge would be: its own session, only its own five fds (as 0-4), no
    # blocked signals, its work dir and environment, dumpable like any fresh process.
    import fcntl, os, signal, sys
    os.setsid()
    sock.detach()  # its fd is closed below; the object must never close a reused number
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 5) for fd in fds]
    for target, fd in enumerate(high):
        os.dup2(fd, target)
    try:
        extra = [int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) >= 5]
    except OSError:
        extra = range(5, 1 << 16)
    for fd in extra:
        try:
            os.close(fd)
        except OSError:
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, ())
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    libc.prctl(4, 1, 0, 0, 0)
    if "random" in sys.modules:
        sys.modules["random"].seed()  # a fresh process would have its own seed


_become_case(*_zygote())
del _zygote, _become_case
_child(3, 4)
"""
)


def main() -> None:
    # Before the payload is read: hardening first, then the zygote, so that no process of
    # ours ever sees the payload except this one (and each case, its own part of it).
    hardening = harden()
    baseline = fingerprint(os.getpid())
    zygote = Zygote() if hardening["subreaper"] else None
    try:
        payload = json.loads(sys.stdin.buffer.read())
        # Done with stdin; /dev/null keeps fd 0 taken so no later pipe lands on it.
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        token = payload["token"]
        if zygote is not None and payload.get("zygote") is False:
            zygote.disable("not wanted by the payload")
        emit({"rewardd_started": token, "hardening": hardening})
        try:
            results = judge_all(payload, zygote, baseline)
        except Exception as exc:  # a judge bug: report it, never a made-up verdict
            emit({"rewardd_internal_error": token, "message": f"{type(exc).__name__}: {exc}"})
            return
    finally:
        if zygote is not None:
            zygote.discard()
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


# --- what a case could change in another process of our uid ----------------------------------

RLIMITS = tuple(getattr(resource, name) for name in dir(resource) if name.startswith("RLIMIT_"))


def fingerprint(pid: int) -> tuple:
    """What any process of our uid may change in another one (prlimit, nice, affinity,
    scheduling policy); signals and stops are checked apart. A probe this platform does not
    offer reads as None, the same every time."""
    probes = [lambda limit=limit: resource.prlimit(pid, limit) for limit in RLIMITS]
    probes += [
        lambda: os.getpriority(os.PRIO_PROCESS, pid),
        lambda: tuple(sorted(os.sched_getaffinity(pid))),
        lambda: os.sched_getscheduler(pid),
    ]
    values = []
    for probe in probes:
        try:
            values.append(probe())
        except (OSError, AttributeError) as exc:
            values.append(type(exc).__name__)
    return tuple(values)


def proc_status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
        return dict((key, value.strip()) for key, _, value in (line.partition(":") for line in f))


class Zygote:
    """The job's zygote: started before the payload is read, forks one process per case.

    After each case, `check()` tells whether the case touched it; a touched zygote is
    replaced. `fork_case` gives None when no zygote can serve; the case then starts a fresh
    interpreter.
    """

    def __init__(self) -> None:
        self.pid: int | None = None
        self.sock = None
        self.output = -1  # the read end of the zygote's stdout and stderr, for diagnostics
        self.ready = False
        self.baseline: tuple | None = None
        self.failures = 0
        self.unavailable: str | None = None
        self.spawn()

    def spawn(self) -> None:
        fds: list[int] = []
        try:
            judge_end, zygote_end = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
            fds.append(zygote_end.detach())
            self.sock = judge_end
            in_r, in_w = os.pipe()
            fds += [in_r, in_w]
            self.output, out_w = os.pipe()
            fds.append(out_w)
            os.set_blocking(self.output, False)
            os.set_inheritable(fds[0], True)
            # stdin and stdout are pipes, as a case's are: its sys.stdin and sys.stdout are
            # then made exactly as a fresh interpreter's would be.
            self.pid = os.posix_spawn(
                sys.executable,
                [sys.executable, "-I", "-c", ZYGOTE, str(fds[0])],
                child_env(os.getcwd()),
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, in_r, 0),
                    (os.POSIX_SPAWN_DUP2, out_w, 1),
                    (os.POSIX_SPAWN_DUP2, out_w, 2),
                ],
                setsid=True,
                setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
            )
        except OSError as exc:
            self.disable(f"could not start: {exc}")
        finally:
            for fd in fds:
                close_quietly(fd)

    def disable(self, why: str) -> None:
        self.unavailable = why
        self.discard()

    def discard(self) -> None:
        """Kill it and forget it; the next fork_case starts a new one unless disabled."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        if self.sock is not None:
            self.sock.close()
        close_quietly(self.output)
        self.pid, self.sock, self.output, self.ready, self.baseline = None, None, -1, False, None

    def failed(self, why: str) -> None:
        self.failures += 1
        if self.failures >= ZYGOTE_MAX_FAILURES:
            self.disable(f"{why} ({self.failures} times)")
        else:
            self.discard()

    def reply(self, timeout_s: float) -> bytes:
        self.sock.settimeout(timeout_s)
        try:
            return self.sock.recv(4096)
        except OSError:
            return b""

    def start(self) -> bool:
        """Spawn it if needed and wait until it is ready; False when it cannot serve."""
        if self.ready:
            return True
        if self.unavailable is not None:
            return False
        if self.pid is None:
            self.spawn()
            if self.pid is None:
                return False
        answer = self.reply(ZYGOTE_START_TIMEOUT_S)
        if answer != b"ready":
            try:
                said = os.read(self.output, 2048).decode("utf-8", "replace").strip()
            except OSError:
                said = ""
            self.disable(f"did not start: {(answer.decode('utf-8', 'replace') or said)[-200:]}")
            return False
        try:
            proc_status(self.pid)  # a platform without it could not check the zygote
        except OSError as exc:
            self.disable(f"cannot be checked: {exc}")
            return False
        self.baseline = fingerprint(self.pid)
        self.ready = True
        return True

    def fork_case(self, fds: list[int], work_dir: str) -> int | None:
        """The pid of a new case process holding `fds` as 0-4, or None."""
        if not self.start():
            return None
        request = json.dumps({"cwd": work_dir, "env": child_env(work_dir)}).encode()
        try:
            self.sock.sendmsg(
                [request], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array.array("i", fds))]
            )
            answer = self.reply(ZYGOTE_REPLY_TIMEOUT_S)
        except OSError:
            answer = b""
        if answer.startswith(b"pid "):
            return int(answer[4:])
        self.failed(f"no case from it: {answer[:100]!r}")
        return None

    def check(self) -> str | None:
        """After a case (all its processes gone): what it did to the zygote, or None."""
        if not self.ready:
            return None
        problem = None
        try:
            waited, status = os.waitpid(
                self.pid, os.WNOHANG | os.WUNTRACED | getattr(os, "WCONTINUED", 0)
            )
        except ChildProcessError:
            waited, status = self.pid, None
        if waited:
            problem = describe_status(status)
        else:
            try:
                now = proc_status(self.pid)
                state = now.get("State", "?")[:1]
                if state in ("T", "t", "Z", "X"):
                    problem = f"left it in state {now.get('State')}"
                elif int(now.get("SigPnd", "0"), 16) or int(now.get("ShdPnd", "0"), 16):
                    problem = "sent it a signal"
                elif now.get("TracerPid", "0") != "0":
                    problem = "traced it"
                elif fingerprint(self.pid) != self.baseline:
                    problem = "changed its limits or scheduling"
            except (OSError, ValueError):
                problem = "made it vanish"
        if problem is not None:
            self.discard()  # the next case gets a new one
        return problem


def describe_status(status: int | None) -> str:
    if status is None:
        return "made it vanish"
    if os.WIFSTOPPED(status):
        return f"stopped it (signal {os.WSTOPSIG(status)})"
    if getattr(os, "WIFCONTINUED", lambda _: False)(status):
        return "stopped and continued it"
    if os.WIFSIGNALED(status):
        return f"killed it (signal {os.WTERMSIG(status)})"
    return f"made it exit (status {os.WEXITSTATUS(status)})"


def close_quietly(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)


# --- judging ----------------------------------------------------------------------------------


def judge_all(payload: dict, zygote: Zygote | None, baseline: tuple) -> list[dict]:
    deadline = time.monotonic() + float(payload["budget_s"])
    results = []
    judge_touched = None
    for case in payload["cases"]:
        left = deadline - time.monotonic()
        if judge_touched is not None:
            results.append(verdict(case, False, f"not run: {judge_touched}"))
            continue
        if left <= 0:
            results.append(verdict(case, False, "not run: the time budget of the job ran out"))
            continue
        limit = min(float(case["timeout_s"]), left)
        started = time.monotonic()
        passed, reason, via = judge_case(payload, case, limit, zygote)
        # Every process of the case is gone now: whatever changed was its doing.
        touched = zygote.check() if zygote is not None else None
        if touched is not None:
            passed, reason = False, f"the case tampered with the judge's zygote: it {touched}"
        if fingerprint(os.getpid()) != baseline:
            judge_touched = "a case changed the judge's limits or scheduling"
            passed, reason = False, judge_touched
        result = verdict(case, passed, reason)
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        result["via"] = via
        results.append(result)
    return results


def verdict(case: dict, passed: bool, reason: str) -> dict:
    return {"name": case["name"], "passed": passed, "reason": reason[:300]}


def judge_case(
    payload: dict, case: dict, limit_s: float, zygote: Zygote | None
) -> tuple[bool, str, str]:
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
        nonce = os.urandom(16).hex()
        second = {
            "source": payload["sources"][case["source"]],
            "call": case["call"],
            "is_async": case.get("is_async", False),
            "nonce": nonce,
        }
    stdin = case["input"].encode("utf-8", "surrogatepass") if mode == "stdio" else b""
    run = run_child(frame(first), frame(second) if second else None, stdin, limit_s, zygote)
    passed, reason = read_verdict(mode, case, run, second)
    return passed, reason, run.via


def read_verdict(mode: str, case: dict, run: ChildRun, second: dict | None) -> tuple[bool, str]:
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
        self.via = "none"  # "zygote" or "fresh": where the case's process came from

    def stderr_tail(self) -> str:
        lines = bytes(self.stderr[-STDERR_TAIL_BYTES:]).decode("utf-8", "replace").strip()
        return lines.splitlines()[-1] if lines else "no error output"


class ForkedCase:
    """A case process from the zygote: our child once the zygote's middle process exited."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self._wait(os.WNOHANG)

    def wait(self) -> int | None:
        return self._wait(0)

    def _wait(self, flags: int) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:  # not ours after all: report it as killed
                pid, status = self.pid, signal.SIGKILL
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


def start_case(fds: list[int], work_dir: str, zygote: Zygote | None, run: ChildRun):
    """The case's process, holding `fds` (CASE_FDS order): forked by the zygote if it can,
    else a fresh interpreter."""
    pid = zygote.fork_case(fds, work_dir) if zygote is not None else None
    if pid is not None:
        run.via = "zygote"
        return ForkedCase(pid)
    import subprocess

    run.via = "fresh"
    return subprocess.Popen(
        [sys.executable, "-I", "-c", CHILD, str(fds[3]), str(fds[4])],
        stdin=fds[0],
        stdout=fds[1],
        stderr=fds[2],
        pass_fds=(fds[3], fds[4]),
        close_fds=True,
        start_new_session=True,
        cwd=work_dir,
        env=child_env(work_dir),
    )


def run_child(
    first: bytes, second: bytes | None, stdin: bytes, limit_s: float, zygote: Zygote | None
) -> ChildRun:
    """Run one case's child; `second` goes down the control pipe once the child says ready."""
    run = ChildRun()
    work_dir = make_work_dir()
    pipes = [os.pipe() for _ in CASE_FDS]
    # The case's ends (stdin's read end, the others' write ends but ctrl's) and ours.
    theirs = [
        r if name in ("stdin", "ctrl") else w for name, (r, w) in zip(CASE_FDS, pipes, strict=True)
    ]
    stdin_w, stdout_r, stderr_r, ctrl_w, result_r = (
        w if name in ("stdin", "ctrl") else r for name, (r, w) in zip(CASE_FDS, pipes, strict=True)
    )
    if zygote is not None:
        zygote.start()  # a zygote still starting up is not the case's time
    started = time.monotonic()
    deadline = started + limit_s
    try:
        proc = start_case(theirs, work_dir, zygote, run)
    except OSError as exc:
        for fd in (stdin_w, stdout_r, stderr_r, ctrl_w, result_r):
            os.close(fd)
        remove_work_dir(work_dir)
        run.problem = f"could not start the case: {exc}"
        return run
    finally:
        for fd in theirs:
            os.close(fd)
    # Each fd is closed once: a second close could hit a reused number.
    open_fds = {stdin_w, stdout_r, stderr_r, ctrl_w, result_r}

    def close(fd: int) -> None:
        if fd in open_fds:
            open_fds.discard(fd)
            close_quietly(fd)

    streams = {
        stdout_r: (run.stdout, MAX_STDOUT_BYTES),
        stderr_r: (run.stderr, MAX_STDOUT_BYTES),
        result_r: (run.result, MAX_RESULT_BYTES),
    }
    outbox = {stdin_w: memoryview(stdin), ctrl_w: memoryview(first)}
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
                if fd == stderr_r and len(buffer) > 2 * STDERR_TAIL_BYTES:
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
        kill_everything(proc, zygote.pid if zygote is not None else None)
        for fd in list(open_fds):
            close(fd)
        remove_work_dir(work_dir)
    run.returncode = proc.returncode
    if run.problem is None and run.returncode is not None and run.returncode < 0:
        signame = signal.Signals(-run.returncode).name if -run.returncode in _SIGNALS else ""
        run.problem = f"killed by signal {-run.returncode} {signame}".strip()
    return run


_SIGNALS = {s.value for s in signal.Signals}


def make_work_dir() -> str:
    """A fresh, empty, private dir for one case (tempfile.mkdtemp without its imports)."""
    base = os.environ.get("TMPDIR") or "/tmp"
    path = os.path.join(base, "case-" + os.urandom(8).hex())
    try:
        os.mkdir(path, 0o700)
    except OSError:
        import tempfile

        path = tempfile.mkdtemp(prefix="case-")
    return path


def remove_work_dir(path: str) -> None:
    try:
        os.rmdir(path)  # most cases leave it empty
    except OSError:
        import shutil

        shutil.rmtree(path, ignore_errors=True)


def child_env(work_dir: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": work_dir,
        "TMPDIR": work_dir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MALLOC_ARENA_MAX": "2",
    }


def kill_everything(proc, spare: int | None) -> None:
    """Kill the case's process group, then every orphan that was reparented to us.

    `spare` is the zygote, our child too: it is checked, not killed. Only the pids we list
    are reaped, so the zygote's pid stays ours until its own check has seen how it ended.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(200):
        strays = [pid for pid in children_of(os.getpid()) if pid != spare]
        if not strays:
            return
        for pid in strays:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in strays:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.002)


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
