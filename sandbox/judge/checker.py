"""A reference's checker: a program that decides whether an output is a valid answer.

For problems with several valid outputs (any shortest path, any permutation that works), a
reference gives `checker`, the Python source of a program. Its calling convention is
testlib's (Codeforces):

    python3 checker.py input.txt output.txt answer.txt
                       the case's input, the solution's output, the expected (jury) answer

Exit status 0 accepts the output; anything else (another status, a crash, a signal, running
out of time or memory, flooding its output) fails the case. What it prints is only quoted
in the case's reason. In the functional style the three files hold JSON: the arguments (an
array), the value the solution returned (as values.decode rebuilt it), the expected value.

Two halves live here:
- `main()`: the program of the checker's process, forked from the zygote like a case's
  (role "check"). It writes the three files into its own work dir and runs the checker as
  `__main__`, with those paths in sys.argv.
- `run()`: the judge's side. It runs only after the case's own processes were killed and
  their files wiped (supervisor.end_case), so nothing of the solution is alive or left to
  touch the checker's files. The checker runs as the slot's tester uid (unused by the stdio
  and functional styles): never the judge's uid, never the solution's; with its own 0700
  work dir, the case's memory and CPU limits, and the same wall-clock backstop as a case.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable

from sandbox import procutil

CHECKER_FILENAME = "checker.py"
INPUT_FILE, OUTPUT_FILE, ANSWER_FILE = "input.txt", "output.txt", "answer.txt"
CONTROL_FD = 3
OUTPUT_CAP = 64 * 1024  # what it prints is only quoted: a little is plenty
PRINT_TAIL_CHARS = 200


# --- the checker's process ----------------------------------------------------------------


def main() -> None:
    """Run in the process forked for role "check" (uid, limits and cwd already set)."""
    try:
        message = procutil.read_frame(CONTROL_FD)
    except ValueError:  # over the frame limit: no files, no verdict
        message = None
    os.close(CONTROL_FD)
    if not isinstance(message, dict):
        os._exit(3)
    for name in (INPUT_FILE, OUTPUT_FILE, ANSWER_FILE):
        # Read-only: a checker that writes "its" answer file by mistake does not change it.
        descriptor = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with open(descriptor, "wb") as f:
            f.write(message["files"][name].encode("utf-8", "surrogateescape"))
    sys.argv = [CHECKER_FILENAME, INPUT_FILE, OUTPUT_FILE, ANSWER_FILE]
    scope = {"__name__": "__main__", "__builtins__": builtins, "__file__": CHECKER_FILENAME}
    # dont_inherit: run as python3 would, without this module's `from __future__` imports.
    exec(compile(message["checker"], CHECKER_FILENAME, "exec", dont_inherit=True), scope)


# --- the judge's side ---------------------------------------------------------------------


class CheckRun:
    """What the judge saw of one run of the checker."""

    def __init__(self, cpu_limit_s: float) -> None:
        self.cpu_limit_s = cpu_limit_s
        self.status: int | None = None  # exit code (negative: killed by that signal)
        self.cpu_s = 0.0
        self.wall_s = 0.0
        self.timed_out = False
        self.starved = False  # stopped by the backstop at its ceiling: load, not the checker
        self.capped = False
        self.problem: str | None = None  # the checker could not be run (the judge's failure)
        self.printed = ""  # the tail of what it wrote on stdout and stderr


def files_for(mode: str, case: dict, output: str) -> dict[str, str]:
    """The three files' contents: stdio text as it was, functional values as JSON."""
    if mode == "call":
        written = {INPUT_FILE: json.dumps(case["args"]), ANSWER_FILE: json.dumps(case["expected"])}
        return {**written, OUTPUT_FILE: output}
    return {INPUT_FILE: case["input"], OUTPUT_FILE: output, ANSWER_FILE: case["output"]}


def run(
    payload: dict,
    case: dict,
    output: str,
    slot: int,
    zygote,
    principals,
    wall_deadline: float,
    reap: Callable[[int | None, object], str | None],
    cpu_left_s: float = float("inf"),
) -> CheckRun:
    """Run the reference's checker on one case's output; never raises for the checker's
    doing. `reap(spare_pid, principals)` kills and reaps orphans reparented to the judge.

    Its CPU limit is the case's, or what is left of the job's budget if less: a checker kept
    busy by what the solution printed must not run the whole job past its budget (the item
    would come back null instead of 0)."""
    check = CheckRun(min(float(case["timeout_s"]), max(cpu_left_s, 0.0)))
    if check.cpu_limit_s <= 0:
        check.problem = "the job's CPU budget ran out before the checker could run"
        return check
    message = {
        "checker": payload["checker"],
        "files": files_for(payload["mode"], case, output),
    }
    ours: list[int] = []
    pid: int | None = None
    try:
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        ctl_r, ctl_w = os.pipe()
        ours += [in_w, out_r, err_r, ctl_w]
        theirs = [in_r, out_w, err_w, ctl_r]
        try:
            pid = zygote.fork("check", slot, theirs, int(payload["memory_mb"]), check.cpu_limit_s)
        finally:
            for fd in theirs:
                os.close(fd)
        started = time.monotonic()
        backstop = 3 * check.cpu_limit_s + 2
        ceiling = started + 3 * backstop
        starvation = procutil.Starvation(lambda: [pid])

        def deadline() -> float:
            return min(started + min(backstop + starvation(), 3 * backstop), wall_deadline)

        done_fd = _pidfd(pid)
        try:
            pumped = procutil.pump(
                {out_r: OUTPUT_CAP, err_r: OUTPUT_CAP},
                outbox={in_w: b"", ctl_w: procutil.encode_frame(message)},
                deadline=deadline,
                done_fd=done_fd,
            )
        finally:
            if done_fd is not None:
                os.close(done_fd)
            ours = [fd for fd in ours if fd not in (in_w, ctl_w)]  # the pump closed them
        ended = time.monotonic()
        check.wall_s = ended - started
        check.timed_out, check.capped = pumped.timed_out, pumped.capped
        check.starved = pumped.timed_out and ended >= ceiling - 0.3
        printed = pumped.outputs.get(out_r, b"") + b"\n" + pumped.outputs.get(err_r, b"")
        check.printed = printed.decode("utf-8", "replace").strip()[-PRINT_TAIL_CHARS:]
    except Exception as exc:  # the zygote could not fork it, a pipe could not be made, ...
        check.problem = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        _end(pid, slot, zygote, principals, check, reap)
        for fd in ours:
            with contextlib.suppress(OSError):
                os.close(fd)
    return check


def _end(pid: int | None, slot: int, zygote, principals, check: CheckRun, reap) -> None:
    """Kill the checker's processes, reap it (its rusage is its CPU time), delete its files."""
    left = None
    if principals.separate:
        try:
            left = zygote.clean(slot, ["tester"])  # kill(-1) as its uid, then the wipe
        except Exception as exc:
            left = str(exc)
    elif pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    if pid is not None:
        try:
            _, status, usage = os.wait4(pid, 0)
            check.status = os.waitstatus_to_exitcode(status)
            check.cpu_s = usage.ru_utime + usage.ru_stime
        except ChildProcessError:
            check.status = -signal.SIGKILL
    strays = reap(zygote.pid, principals)
    if not principals.separate and zygote.ready:
        try:
            left = zygote.clean(slot, ["tester"])
        except Exception as exc:
            left = str(exc)
    left = left or strays
    if left is not None and check.problem is None:
        check.problem = f"the checker left something behind that could not be removed ({left})"


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None  # old kernel or gVisor: the pump ends on EOF instead
