"""The zygote: a clean interpreter that forks every process of every case.

It starts before the judge reads its stdin, so it never holds the solution, the tests, the
expected answers or anything else of the payload. A fork request carries only a role, a
case's slot, its limits and its pipes (SCM_RIGHTS); nothing flows back but a pid.

Two principals when the runner starts the judge as root with REWARDD_JUDGE_UID and
REWARDD_CASE_UIDS (Docker, bwrap as root): the zygote stays uid 0 (CAP_SETUID, CAP_SETGID,
CAP_CHOWN only) and each process it forks drops to its own uid before any byte of the case
reaches it: slot k's solution runs as first + 2k, its tester as first + 2k + 1. Those uids
own nothing of the judge (uid J) or of the zygote (uid 0): they cannot write, signal, ptrace
or prlimit them. After the case the zygote kills each uid in one kill(-1) (procutil.kill_uid)
and deletes what it left (its dir, its files in /tmp and /dev/shm, its SysV IPC).

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
import json
import math
import os
import random
import resource
import signal
import sys
import threading
import time
import traceback

from sandbox import procutil

from . import case, tester

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
# How long the zygote may take to start (normally about 30 ms) and to answer a request (well
# under a millisecond). Both come out of the job's slack, never out of a case's time.
START_TIMEOUT_S = 5.0
REPLY_TIMEOUT_S = 5.0
# Cleaning after a case deletes what it wrote: tens of thousands of files take seconds.
CLEAN_TIMEOUT_S = 30.0
FDS_PER_ROLE = {"stdio": 5, "call": 5, "serve": 6, "test": 7}
CASE_NPROC = 32  # processes and threads of one case's uid (its own uid: RLIMIT_NPROC is per uid)
_libc = ctypes.CDLL(None, use_errno=True)


# --- who is who ---------------------------------------------------------------------------


class Principals:
    """The uids of a judge job: judge_uid is None when everything runs as one uid."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.judge_uid: int | None = None
        self.first_case_uid = 0
        self.case_uids = 0
        self.case_root = environ.get("TMPDIR") or "/tmp"
        try:
            if os.geteuid() == 0 and "REWARDD_JUDGE_UID" in environ:
                first, count = environ["REWARDD_CASE_UIDS"].split(":")
                self.first_case_uid, self.case_uids = int(first), int(count)
                self.case_root = environ["REWARDD_CASE_ROOT"]
                self.judge_uid = int(environ["REWARDD_JUDGE_UID"])
        except (KeyError, ValueError):
            self.judge_uid = None

    @property
    def separate(self) -> bool:
        return self.judge_uid is not None

    def max_slots(self) -> int:
        return self.case_uids // 2 if self.separate else 1 << 30

    def uid_of(self, slot: int, side: str) -> int | None:
        """The uid of a slot's "solution" or "tester" process; None with one principal."""
        if not self.separate:
            return None
        return self.first_case_uid + 2 * slot + (1 if side == "tester" else 0)

    def dir_of(self, slot: int, side: str) -> str:
        return os.path.join(self.case_root, f"case-{slot}-{side}")


def side_of(role: str) -> str:
    return "tester" if role == "test" else "solution"


# --- the zygote process -------------------------------------------------------------------


def main(sock_fd: int) -> None:
    sock = _socket.socket(fileno=sock_fd)
    principals = Principals(dict(os.environ))
    if _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0 or (
        _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0
    ):
        sock.send(b"error: prctl failed")
        os._exit(1)
    # Nothing a case sends changes what this process does: signals stay pending, where the
    # judge sees them. SIGKILL and SIGSTOP cannot be blocked; the judge sees their effect.
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.valid_signals()) - {signal.SIGCHLD})
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
            if request.get("op") == "clean":
                reply = clean(principals, request["slots"])
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
    slot, role = int(request["slot"]), request["role"]
    if not 0 <= slot < principals.max_slots():
        return b"error: no uid left for this case"
    uid = principals.uid_of(slot, side_of(role))
    work_dir = principals.dir_of(slot, side_of(role))
    os.mkdir(work_dir, 0o700)  # inodes or space gone: OSError, the case fails
    if uid is not None:
        os.chown(work_dir, uid, uid)
    report_r, report_w = os.pipe()
    try:
        middle = os.fork()
        if middle == 0:
            # The middle process forks the case and exits at once: the case's parent becomes
            # the judge (a child subreaper), which waits for it and reads its rusage.
            try:
                pid = os.fork()
                if pid == 0:
                    os.close(report_r)
                    os.close(report_w)
                    become_case(sock, fds, request, uid, work_dir)
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
    return b"pid " + pid if pid else b"error: could not fork the case"


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
        set_limit(resource.RLIMIT_AS, int(request["memory_mb"]) << 20)
        cpu = max(1, math.ceil(float(request["cpu_s"])))
        set_limit(resource.RLIMIT_CPU, cpu, cpu + 1)
        set_limit(resource.RLIMIT_CORE, 0)
        os.chdir(work_dir)
        os.environ.clear()
        os.environ.update(procutil.job_env(work_dir))
        # The tester holds the tests: not readable even by a process of its own uid. The
        # solution's process is an ordinary one.
        _libc.prctl(PR_SET_DUMPABLE, 0 if role == "test" else 1, 0, 0, 0)
        random.seed()  # a fresh process would have its own seed
        code = run_role(role)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def run_role(role: str) -> int:
    """Run the role's program with a normal interpreter's exit rules; its exit status."""
    code = 0
    try:
        if role == "test":
            tester.main()
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
        traceback.print_exc()
        code = 1
    with contextlib.suppress(BaseException):
        threading._shutdown()  # non-daemon threads of the solution finish, as in python3
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    return code


def set_limit(limit: int, soft: int, hard: int | None = None) -> None:
    hard = soft if hard is None else hard
    _, current_hard = resource.getrlimit(limit)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(limit, (soft, hard))


def clean(principals: Principals, slots: list[int]) -> bytes:
    """Kill the slots' uids and delete what they left; b"clean", or b"left: ..." """
    left: list[str] = []
    for slot in slots:
        for side in ("solution", "tester"):
            uid = principals.uid_of(int(slot), side)
            if uid is not None:
                procutil.kill_uid(uid)
                left += procutil.wipe_owned(uid)
                procutil.remove_ipc(uid)
            work_dir = principals.dir_of(int(slot), side)
            if not os.path.lexists(work_dir):
                continue
            left += procutil.wipe_below(work_dir) if uid is not None else remove_below(work_dir)
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


# --- the judge's handle on its zygote -----------------------------------------------------


class ZygoteError(RuntimeError):
    """The zygote could not serve a request; the case it was for fails."""


RLIMITS = tuple(getattr(resource, name) for name in dir(resource) if name.startswith("RLIMIT_"))


def fingerprint(pid: int) -> tuple:
    """What any process of our uid may change in another one (prlimit, nice, affinity,
    scheduling policy). A probe this platform does not offer reads the same every time."""
    probes = [lambda limit=limit: resource.prlimit(pid, limit) for limit in RLIMITS]
    probes += [
        lambda: os.getpriority(os.PRIO_PROCESS, pid),
        lambda: tuple(sorted(os.sched_getaffinity(pid))),
        lambda: os.sched_getscheduler(pid),
    ]
    found = []
    for probe in probes:
        try:
            found.append(probe())
        except (OSError, AttributeError) as exc:
            found.append(type(exc).__name__)
    return tuple(found)


class Zygote:
    """Started by the judge before it reads its payload (and, as root, before it drops to its
    own uid); forks every case process on request."""

    def __init__(self, entry: str) -> None:
        judge_end, zygote_end = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        self.sock = judge_end
        child_fd = zygote_end.detach()
        os.set_inheritable(child_fd, True)
        self.output, out_w = os.pipe()
        in_r, in_w = os.pipe()
        try:
            self.pid = os.posix_spawn(
                sys.executable,
                [sys.executable, "-I", "-B", entry, "--zygote", str(child_fd)],
                dict(os.environ),
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, in_r, 0),
                    (os.POSIX_SPAWN_DUP2, out_w, 1),
                    (os.POSIX_SPAWN_DUP2, out_w, 2),
                ],
                setsid=True,
            )
        finally:
            for fd in (child_fd, out_w, in_r, in_w):
                os.close(fd)
        os.set_blocking(self.output, False)
        self.ready = False
        self.lost: str | None = None
        self.baseline: tuple | None = None
        self.sequence = 0

    def start(self) -> None:
        """Wait until it is ready; ZygoteError when it cannot serve."""
        if self.ready:
            return
        if self.lost is not None:
            raise ZygoteError(self.lost)
        answer = self.reply(START_TIMEOUT_S)
        if answer != b"ready":
            try:
                said = os.read(self.output, 2048).decode("utf-8", "replace").strip()
            except OSError:
                said = ""
            self.lost = (
                f"the zygote did not start: {(answer.decode('utf-8', 'replace') or said)[-200:]}"
            )
            raise ZygoteError(self.lost)
        self.baseline = fingerprint(self.pid)
        self.ready = True

    def reply(self, timeout_s: float) -> bytes:
        self.sock.settimeout(timeout_s)
        try:
            return self.sock.recv(4096)
        except OSError:
            return b""

    def ask(
        self, request: dict, fds: list[int] | None = None, timeout_s: float = REPLY_TIMEOUT_S
    ) -> bytes:
        self.start()
        self.sequence += 1
        data = json.dumps({**request, "seq": self.sequence}).encode()
        try:
            if fds:
                rights = array.array("i", fds)
                self.sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)])
            else:
                self.sock.send(data)
        except OSError as exc:
            raise ZygoteError(f"the zygote is gone ({exc})") from None
        deadline = time.monotonic() + timeout_s
        while True:
            answer = self.reply(max(deadline - time.monotonic(), 0.001))
            if not answer:
                raise ZygoteError("the zygote did not answer")
            number, _, answer = answer.partition(b" ")
            if number == b"%d" % self.sequence:
                return answer

    def fork(self, role: str, slot: int, fds: list[int], memory_mb: int, cpu_s: float) -> int:
        request = {"role": role, "slot": slot, "memory_mb": memory_mb, "cpu_s": cpu_s}
        answer = self.ask(request, fds)
        if not answer.startswith(b"pid "):
            raise ZygoteError(answer.decode("utf-8", "replace")[:300])
        return int(answer[4:])

    def clean(self, slot: int) -> str | None:
        """Kill the slot's uids and delete its files; None, or what was left behind."""
        answer = self.ask({"op": "clean", "slots": [slot]}, timeout_s=CLEAN_TIMEOUT_S)
        return None if answer == b"clean" else answer.decode("utf-8", "replace")

    def check(self) -> str | None:
        """One principal: what the last case (all its processes gone) did to the zygote."""
        if not self.ready:
            return None
        problem = None
        try:
            waited, status = os.waitpid(self.pid, os.WNOHANG | os.WUNTRACED | os.WCONTINUED)
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
            self.lost = f"a case tampered with the judge's zygote: it {problem}"
            self.discard()
        return problem

    def discard(self) -> None:
        # Closing the socket ends it (it exits when the judge is gone); as root it cannot be
        # killed by a judge that has dropped to its own uid.
        self.sock.close()
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.output)
        self.pid, self.ready = None, False


def proc_status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
        return {key: value.strip() for key, _, value in (line.partition(":") for line in f)}


def describe_status(status: int | None) -> str:
    if status is None:
        return "made it vanish"
    if os.WIFSTOPPED(status):
        return f"stopped it (signal {os.WSTOPSIG(status)})"
    if os.WIFCONTINUED(status):
        return "stopped and continued it"
    if os.WIFSIGNALED(status):
        return f"killed it (signal {os.WTERMSIG(status)})"
    return f"made it exit (status {os.WEXITSTATUS(status)})"
