"""The zygote: a clean interpreter that forks every process of every case.

It starts before the judge reads its stdin, so it never holds the solution, the tests, the
expected answers or anything else of the payload. A fork request carries only a role, a
case's slot, its limits and its pipes (SCM_RIGHTS); nothing flows back but a pid.

Two principals when the runner starts the judge as root with REWARDD_JUDGE_UID and
REWARDD_CASE_UIDS (Docker, bwrap as root): the zygote stays uid 0 (CAP_SETUID, CAP_SETGID,
CAP_CHOWN only) and each process it forks drops to its own uid before any byte of the case
reaches it: slot k's solution runs as first + 2k, the job's tester (test code, one for the
job, supervisor.Tester) as first + 1 (slot 0's tester uid), slot k's checker as first + 2k + 1.
Those uids own nothing of the judge (uid J) or of the zygote (uid 0): they cannot write,
signal, ptrace or prlimit them, nor one another. After the case the zygote kills each of its
uids in one kill(-1) (procutil.kill_uid) and deletes what it left (its dir, its files in /tmp
and /dev/shm, its SysV IPC).

Every process is forked through a middle process that exits at once, so that the judge is its
parent (it reaps it: its rusage is its CPU time). With separate uids a solution's process is
forked ahead: a spare, made once the case before has ended, becomes it (Spare). Before
the spare is made and before each case, pid 1 of the job's namespace sets its pid counter
back (procutil.reset_pid_counter), so no case reads anything off the pids it is handed.

One principal otherwise (rootless bwrap, the unsafe backend): every process shares the
judge's uid. The zygote is then not dumpable and blocks every signal it can, and the judge
checks it after each case (`Zygote.check`).

    python3 -I -B R/sandbox/judge/__main__.py --zygote FD    (started by supervisor.py)
"""

from __future__ import annotations

import _socket
import array
import contextlib
import ctypes
import fcntl
import gc
import json
import math
import os
import resource
import signal
import sys
from collections.abc import Callable

from sandbox import procutil, syscall_filter

from . import case, checker, tester
from .zygote_client import Principals, side_of

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
FDS_PER_ROLE = {"stdio": 5, "call": 5, "serve": 6, "test": 4, "check": 4}
CASE_NPROC = 32  # processes and threads of one case's uid (its own uid: RLIMIT_NPROC is per uid)
# Imported by the zygote, before any payload, where the image has them (the "sci" image): each
# case is a fork, so a solution's `import numpy` is then free (about 90 ms of the case's CPU
# otherwise). Their address space is added to each case's RLIMIT_AS, so that memory_mb leaves
# a case the same room in both images.
PRELOAD = ("numpy",)
preloaded_bytes = 0
_libc = ctypes.CDLL(None, use_errno=True)


class Spare:
    """A fork of the zygote made ahead of its case (separate principals only), through a
    middle process like a case's (the judge is its parent): it waits, holding nothing of any
    case, for the request and fds that make it that case's solution process, so that its
    fork and its middle are off the case's path (made while the judge reads the verdict of
    the case before). It is made once that case's processes are all reaped, after the pid
    counter is set back: its pid owes nothing to any case."""

    def __init__(self, pid: int, sock: _socket.socket) -> None:
        self.pid, self.sock = pid, sock


spare: Spare | None = None
# pid 1's end for resets of the job's pid counter (procutil.reset_pid_counter), or -1.
pid_counter = -1


# --- the zygote process -------------------------------------------------------------------


def main(sock_fd: int) -> None:
    global spare, pid_counter
    sock = _socket.socket(fileno=sock_fd)
    pid_counter = int(os.environ.get(procutil.PID_COUNTER_FD_ENV, "-1"))
    principals = Principals(dict(os.environ))
    if _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0 or (
        _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0
    ):
        sock.send(b"error: prctl failed")
        os._exit(1)
    # Nothing a case sends changes what this process does: signals stay pending, where the
    # judge sees them. SIGKILL and SIGSTOP cannot be blocked; the judge sees their effect.
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.valid_signals()) - {signal.SIGCHLD})
    global preloaded_bytes
    preloaded_bytes = preload(PRELOAD)
    # Every object so far into the permanent generation: a fork's garbage collections then
    # never walk (and copy-on-write) the zygote's heap.
    gc.collect()
    gc.freeze()
    sock.send(b"ready")
    while True:
        fds = array.array("i")
        data, ancillary, flags, _ = sock.recvmsg(1 << 16, _socket.CMSG_SPACE(16 * fds.itemsize))
        for level, kind, blob in ancillary:
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                fds.frombytes(blob[: len(blob) - len(blob) % fds.itemsize])
        if not data:
            os._exit(0)  # the judge is gone
        request: dict = {}
        try:
            request = json.loads(data)
            if request.get("op") == "spare":
                reply = make_spare(sock, principals)
            elif request.get("op") == "clean":
                cpu_s = request.get("cpu_s")
                cpu_s = float(cpu_s) if isinstance(cpu_s, int | float) else None
                targets = [(int(slot), str(side)) for slot, side in request["targets"]]
                reply = clean(principals, targets, cpu_s)
            elif len(fds) == FDS_PER_ROLE.get(request.get("role")) and not (
                flags & _socket.MSG_CTRUNC
            ):
                reply = fork_case(sock, list(fds), request, principals)
            else:
                reply = b"error: a malformed request"
        except Exception as exc:  # a request we cannot serve fails its case, not the zygote
            reply = f"error: {type(exc).__name__}: {exc}"[:300].encode()
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        # The request's number first: a reply the judge gave up waiting for is never taken
        # for the answer to a later request.
        sock.send(b"%d " % int(request.get("seq", 0)) + reply)


def fork_case(sock, fds: list[int], request: dict, principals: Principals) -> bytes:
    """b"pid N", then "ahead" where a spare became it, "fresh" where the job's pid counter
    was set back first (procutil.PID_COUNTER_BASE)."""
    global spare
    slot, role = int(request["slot"]), request["role"]
    if not 0 <= slot < principals.max_slots():
        return b"error: no uid left for this case"
    uid = principals.uid_of(slot, side_of(role))
    work_dir = principals.dir_of(slot, side_of(role))
    os.mkdir(work_dir, 0o700)  # inodes or space gone: OSError, the case fails
    if uid is not None:
        os.chown(work_dir, uid, uid)
    # Everything of the case before is gone (killed, reaped): from here on this case is
    # handed the same pids whatever ran before.
    fresh = request.get("fresh_pids") is True and procutil.reset_pid_counter(pid_counter)
    flags = b" fresh" if fresh else b""
    # A spare made after the case before ended becomes this one, when there is one (the
    # judge is already its parent).
    if request.get("ahead") and spare is not None:
        taken, spare = spare, None
        pid = hand_to_spare(taken, request, fds)
        if pid is not None:
            return b"pid %d ahead" % pid + flags
    pid = fork_through_middle(lambda: become_case(sock, fds, request, uid, work_dir))
    return b"pid %d" % pid + flags if pid else b"error: could not fork the case"


def fork_through_middle(become: Callable[[], None]) -> int | None:
    """Fork a process that runs become() (which never returns) through a middle process that
    exits at once: its parent is then the judge (a child subreaper), which waits for it and
    reads its rusage. Its pid, or None."""
    report_r, report_w = os.pipe()
    try:
        middle = os.fork()
        if middle == 0:
            try:
                pid = os.fork()
                if pid == 0:
                    os.close(report_r)
                    os.close(report_w)
                    become()
                os.write(report_w, b"%d" % pid)
            finally:
                os._exit(0)
        os.close(report_w)
        report_w = -1
        os.waitpid(middle, 0)
        pid = os.read(report_r, 32)
    finally:
        os.close(report_r)
        if report_w >= 0:
            os.close(report_w)
    return int(pid) if pid else None


def make_spare(sock: _socket.socket, principals: Principals) -> bytes:
    """The judge, once a case's processes are all reaped and another case follows: set the
    pid counter back and fork the next case's spare, so that its pid owes nothing to any
    case, while the judge reads the verdict of the case that ended."""
    global spare
    # Without the reset the spare's pid would tell how many pids the case before spent:
    # the case is then forked when it is asked for, as without a spare.
    if principals.separate and spare is None and procutil.reset_pid_counter(pid_counter):
        spare = fork_spare(sock, principals)
    return b"spare" if spare is not None else b"no spare"


def fork_spare(sock: _socket.socket, principals: Principals) -> Spare | None:
    """A spare for the next case (see Spare); None when it cannot be made."""
    try:
        ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
    except OSError:
        return None

    def become_spare() -> None:
        ours.detach()  # closed with every other fd by become_case; never by this object
        serve_as_spare(sock, theirs, principals)

    try:
        pid = fork_through_middle(become_spare)
    except OSError:
        pid = None
    finally:
        theirs.close()
    if pid is None:
        ours.close()
        return None
    return Spare(pid, ours)


def serve_as_spare(sock: _socket.socket, link: _socket.socket, principals: Principals) -> None:
    """In the spare: wait for the zygote's one request (the case's role, slot, limits and
    fds), then become that case's process; never returns. The zygote gone (EOF): exit."""
    try:
        fds = array.array("i")
        data, ancillary, flags, _ = link.recvmsg(1 << 16, _socket.CMSG_SPACE(16 * fds.itemsize))
        for level, kind, blob in ancillary:
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                fds.frombytes(blob[: len(blob) - len(blob) % fds.itemsize])
        link.detach()  # its fd is closed by become_case, like every fd not the case's
        if not data or flags & _socket.MSG_CTRUNC:
            os._exit(0)
        request = json.loads(data)
        side = side_of(request["role"])
        slot = int(request["slot"])
        uid, work_dir = principals.uid_of(slot, side), principals.dir_of(slot, side)
    except BaseException:
        os._exit(1)
    become_case(sock, list(fds), request, uid, work_dir)


def hand_to_spare(taken: Spare, request: dict, fds: list[int]) -> int | None:
    """Give the request and its fds to the spare; its pid, or None (it is gone: the caller
    forks instead)."""
    try:
        rights = array.array("i", fds)
        taken.sock.sendmsg(
            [json.dumps(request).encode()], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)]
        )
        return taken.pid
    except OSError:
        return None  # it is gone (the judge, its parent, reaps it)
    finally:
        taken.sock.close()


def become_case(sock, fds: list[int], request: dict, uid: int | None, work_dir: str) -> None:
    """In the forked child: become the case's process, then run its role; never returns."""
    code = 1
    try:
        os.setsid()
        sock.detach()  # its fd is closed below; the object must never close a reused number
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, len(fds)) for fd in fds]
        for target, fd in enumerate(high):
            os.dup2(fd, target)
        keep = len(fds)
        for fd in [int(n) for n in os.listdir("/proc/self/fd")]:
            if fd >= keep:
                with contextlib.suppress(OSError):
                    os.close(fd)
        signal.pthread_sigmask(signal.SIG_SETMASK, ())
        role = request["role"]
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            set_limit(resource.RLIMIT_NPROC, CASE_NPROC)
        set_limit(resource.RLIMIT_AS, (int(request["memory_mb"]) << 20) + preloaded_bytes)
        # A second past the budget: the rusage the judge reaps decides (at the limit itself
        # it reads 5-10 % low, and a solution catching SIGXCPU could then exit "in time").
        cpu = math.ceil(float(request["cpu_s"])) + 1
        set_limit(resource.RLIMIT_CPU, cpu, cpu + 1)
        set_limit(resource.RLIMIT_CORE, 0)
        os.chdir(work_dir)
        os.environ.clear()
        os.environ.update(procutil.job_env(work_dir))
        # The tester holds the tests, a checker the expected answer: not readable even by a
        # process of its own uid. The solution's process is an ordinary one.
        _libc.prctl(PR_SET_DUMPABLE, 0 if role in ("test", "check") else 1, 0, 0, 0)
        if "random" in sys.modules:
            sys.modules["random"].seed()  # a fresh process would have its own seed
        # Last: the refused calls (keys, namespaces, memfds, io_uring, ...) are refused to the
        # role's program and all it starts; a filter that cannot be installed fails the case.
        syscall_filter.install()
        code = run_role(role)
    except BaseException:
        sys.__excepthook__(*sys.exc_info())
    finally:
        os._exit(code)


def run_role(role: str) -> int:
    """Run the role's program with a normal interpreter's exit rules; its exit status."""
    code = 0
    try:
        if role == "test":
            tester.main()
        elif role == "check":
            checker.main()  # a reference's checker (checker.py), after the case's processes
        else:
            case.main()
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        sys.__excepthook__(*sys.exc_info())  # the traceback, as python3 prints it
        code = 1
    threading = sys.modules.get("threading")
    if threading is not None:  # non-daemon threads of the solution finish, as in python3
        with contextlib.suppress(BaseException):
            threading._shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    return code


def preload(modules: tuple[str, ...]) -> int:
    """Import those of `modules` the image has; the address space that took, in bytes."""
    # One BLAS thread (procutil.job_env says why), set here too: this process's environment
    # is the runner's, which an image built before that rule lacks.
    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    before = address_space()
    for name in modules:
        # Not in this image (or broken there): a case imports it itself, or fails to.
        with contextlib.suppress(Exception):
            __import__(name)
    return max(0, address_space() - before)


def address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def set_limit(limit: int, soft: int, hard: int | None = None) -> None:
    hard = soft if hard is None else hard
    _, current_hard = resource.getrlimit(limit)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(limit, (soft, hard))


def clean(
    principals: Principals, targets: list[tuple[int, str]], cpu_s: float | None = None
) -> bytes:
    """Kill the uids of the (slot, side) targets ("solution" or "tester") and delete what they
    left; b"clean", or b"left: ...". cpu_s: the CPU each target's wipe may use (else only its
    entries are bounded)."""
    kill_targets(principals, targets)
    return wipe(principals, targets, cpu_s)


def kill_targets(principals: Principals, targets: list[tuple[int, str]]) -> None:
    """One kill(-1) for each target's uid (separate principals; else the judge kills)."""
    for slot, side in targets:
        uid = principals.uid_of(slot, side) if side in ("solution", "tester") else None
        if uid is not None:
            procutil.kill_uid(uid)


def wipe(
    principals: Principals, targets: list[tuple[int, str]], cpu_s: float | None = None
) -> bytes:
    """Delete what the targets' uids (killed already) left; b"clean", or b"left: ..."."""
    left: list[str] = []
    for slot, side in targets:
        if side not in ("solution", "tester"):
            continue
        uid = principals.uid_of(slot, side)
        # What a case may leave for us to delete is bounded (our CPU, not the case's): past
        # it the wipe stops and the judge ends the job (the leftovers stay unseen).
        budget = procutil.EntryBudget(cpu_s=cpu_s)
        try:
            if uid is not None:
                try:
                    left += procutil.wipe_owned(uid, budget=budget)
                finally:
                    procutil.remove_ipc(uid)
            work_dir = principals.dir_of(slot, side)
            if not os.path.lexists(work_dir):
                continue
            if uid is not None:
                left += procutil.wipe_below(work_dir, budget)
            else:
                left += remove_below(work_dir)
        except procutil.TooMuchLeft as exc:
            left.insert(0, f"it left {exc}")
            continue
        try:
            os.rmdir(work_dir)
        except OSError:
            left.append(work_dir)
    return b"clean" if not left else ("left: " + ", ".join(left[:3]))[:300].encode()


def remove_below(top: str) -> list[str]:
    """One principal: everything below top is ours; delete it, whatever modes it has."""
    failed: list[str] = []
    entries: list[tuple[str, bool]] = []
    pending = [top]
    while pending:
        directory = pending.pop()
        try:
            os.chmod(directory, 0o700)
            for entry in os.scandir(directory):
                is_dir = entry.is_dir(follow_symlinks=False)
                entries.append((entry.path, is_dir))
                if is_dir:
                    pending.append(entry.path)
        except OSError:
            failed.append(directory)
    for path, is_dir in reversed(entries):
        try:
            (os.rmdir if is_dir else os.unlink)(path)
        except FileNotFoundError:
            pass
        except OSError:
            failed.append(path)
    return failed
