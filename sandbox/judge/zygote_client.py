"""The judge's handle on its zygote (zygote.py), and who is who in a judge job.

    Principals(environ)     the uids the runner gave the job, or one principal
    Zygote(entry)           starts the zygote; fork(), clean(), check() per case

Kept apart from zygote.py so that the judge's process imports none of the case programs.
"""

from __future__ import annotations

import _socket
import array
import contextlib
import json
import os
import resource
import signal
import sys
import time
from collections.abc import Callable

from sandbox.procutil import PID_COUNTER_FD_ENV

# How long the zygote may take to start (normally about 30 ms) and to answer a request (well
# under a millisecond). Both come out of the job's slack, never out of a case's time.
START_TIMEOUT_S = 5.0
REPLY_TIMEOUT_S = 5.0
# Cleaning after a case deletes what it wrote: tens of thousands of files take seconds.
CLEAN_TIMEOUT_S = 30.0
MAX_FD = 1 << 16  # above the judge's RLIMIT_NOFILE


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
    # A reference's checker ("check") runs as the slot's tester uid: unused by the stdio and
    # functional styles, so never the solution's uid and never the judge's.
    return "tester" if role in ("test", "check") else "solution"


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
    own uid); forks every case process on request.

    entry: a fresh `python3 -I -B entry --zygote FD`. serve: instead, a fork of this process
    that runs serve(FD) and never returns; the judge has then imported everything the zygote
    runs, and the fork saves an interpreter's start (~15 ms of each job). Either way it holds
    nothing of the payload: the judge has not read its stdin yet.
    """

    def __init__(self, entry: str, serve: Callable[[int], None] | None = None) -> None:
        judge_end, zygote_end = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        self.sock = judge_end
        child_fd = zygote_end.detach()
        os.set_inheritable(child_fd, True)
        # pid 1's end for resets of the pid counter: the zygote's alone (it is inheritable).
        pid_counter = int(os.environ.get(PID_COUNTER_FD_ENV, "-1"))
        keep = (child_fd, pid_counter) if pid_counter >= 0 else (child_fd,)
        self.output, out_w = os.pipe()
        in_r, in_w = os.pipe()
        try:
            if serve is not None:
                self.pid = os.fork()
                if self.pid == 0:
                    _become_zygote(serve, child_fd, in_r, out_w, keep=keep)
            else:
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
            for fd in (*keep, out_w, in_r, in_w):
                os.close(fd)
        os.set_blocking(self.output, False)
        self.ready = False
        self.lost: str | None = None
        self.baseline: tuple | None = None
        self.sequence = 0
        self.forked_now = 0  # processes the last fork request made (see fork)
        self.fresh_pids = False  # it set the pid counter back first (see fork)

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
        return self.answer(self.send(request, fds), timeout_s)

    def send(self, request: dict, fds: list[int] | None = None) -> int:
        """Send a request (its answer: `answer`); its number."""
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
        return self.sequence

    def answer(self, number: int, timeout_s: float = REPLY_TIMEOUT_S) -> bytes:
        """The answer to request `number` (the last one sent)."""
        deadline = time.monotonic() + timeout_s
        while True:
            answer = self.reply(max(deadline - time.monotonic(), 0.001))
            if not answer:
                raise ZygoteError("the zygote did not answer")
            said, _, answer = answer.partition(b" ")
            if said == b"%d" % number:
                return answer

    def fork(
        self,
        role: str,
        slot: int,
        fds: list[int],
        memory_mb: int,
        cpu_s: float,
        *,
        ahead: bool = False,
        meanwhile: Callable[[], None] | None = None,
    ) -> int:
        """A case process, the judge's child (it reaps it); its pid. ahead: a case's first
        process: the spare (make_spare) becomes it where there is one, and the job's pid
        counter is set back first (`fresh_pids` says whether it was; `forked_now` what the
        zygote forked). meanwhile(): the judge's own work while the zygote forks."""
        request = {"role": role, "slot": slot, "memory_mb": memory_mb, "cpu_s": cpu_s}
        if ahead:
            request["ahead"] = True
            request["fresh_pids"] = True
        number = self.send(request, fds)
        try:
            if meanwhile is not None:
                meanwhile()
        finally:
            answer = self.answer(number)
        words = answer.split()
        flags = set(words[2:])
        if words[:1] != [b"pid"] or len(words) < 2 or not flags <= {b"ahead", b"fresh"}:
            raise ZygoteError(answer.decode("utf-8", "replace")[:300])
        # Processes the zygote started for this request: the middle and the case's, or none
        # (a spare became it).
        self.forked_now = 0 if b"ahead" in flags else 2
        self.fresh_pids = b"fresh" in flags
        return int(words[1])

    def make_spare(self) -> None:
        """Another case follows and nothing of the last one runs (all reaped): the zygote
        forks the next case's spare while we go on. Not waited for: its answer is dropped
        (see answer), and the next fork request is served after it."""
        with contextlib.suppress(ZygoteError):
            self.send({"op": "spare"}, [])

    def clean(self, slot: int, sides: list[str], cpu_s: float | None = None) -> str | None:
        """Kill the slot's uids ("solution", "tester") and delete their files; None, or what
        was left behind. cpu_s: the CPU the zygote may spend wiping each side's files."""
        return self.clean_targets([(slot, side) for side in sides], cpu_s)

    def clean_targets(
        self, targets: list[tuple[int, str]], cpu_s: float | None = None
    ) -> str | None:
        """The same for (slot, side) pairs of several slots (a case's solution and the job's
        tester) in one request."""
        request = {"op": "clean", "targets": [list(t) for t in targets], "cpu_s": cpu_s}
        answer = self.ask(request, timeout_s=CLEAN_TIMEOUT_S)
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


def _become_zygote(
    serve: Callable[[int], None], sock_fd: int, stdin: int, output: int, keep: tuple[int, ...]
) -> None:
    """In the forked child: the zygote's own stdin (not the judge's payload), output and
    session, no other fd of the judge; never returns."""
    try:
        os.setsid()
        os.dup2(stdin, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.closerange(3, min(keep))
        os.closerange(max(keep) + 1, MAX_FD)
        for fd in range(min(keep) + 1, max(keep)):
            with contextlib.suppress(OSError):
                os.close(fd)
        serve(sock_fd)
    finally:
        os._exit(1)


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
