"""Run untrusted jobs: one fresh process, work directory and uid per job.

Two uses, one implementation:

- Inside a sandbox (a Docker container, or bubblewrap run as root) this file is the entry
  point (`python3 -I -B /opt/rewardd/sandbox/runner.py`). It runs as uid 0 with only
  CAP_SETUID, CAP_SETGID and CAP_CHOWN, reads length-prefixed JSON jobs on stdin and answers
  on stdout.
- The host's local backends import `run_process`, `classify` and the rlimit helpers from it.

Principals inside a sandbox:

- a plain job runs as a fresh uid J that owns only its work dir /sandbox/job-<J>;
- a judge job (`"judge": true`) starts as uid 0 from files only root can write
  (/judge/<J>/files), with a scratch dir only J can write (/judge/<J>/scratch, its own
  tmpfs), and the uid block J+1.. for its cases. It drops to J itself once its zygote runs;
  the zygote gives each case its own uid (see the judge package).
- after every job the runner kills everything but itself and wipes every writable place,
  acting as each owner in turn (sandbox.procutil), so a job can neither stop the cleanup nor
  leave anything for the next one.

Stdlib only: it is copied into the sandbox image as is, next to sandbox/procutil.py.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import fcntl
import importlib.util
import json
import math
import os
import py_compile
import re
import resource
import secrets
import select
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass

if __name__ == "__main__" and not __package__:
    # python3 -I puts no script dir on sys.path: import the helper from the same tree.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sandbox import page_cache, procutil, syscall_filter
from sandbox.procutil import encode_frame, read_frame, write_all

WORK_ROOT = "/sandbox"
JUDGE_ROOT = "/judge"
MAIN_FILE = "main.py"
# The judge's entry point inside its shipped files (the judge package, sandbox/judge/).
JUDGE_ENTRY = "sandbox/judge/__main__.py"
# Throwaway uids: a random block per job, J the block's first uid and the rest for the judge's
# cases. They own nothing in the image, and nothing of one job can touch the next one's.
JOB_UID_BASE = 1 << 20
UID_BLOCK = 1 << 12
UID_BLOCKS = (1 << 24) // UID_BLOCK
JOB_NICENESS = 10
MEMORY_ERROR_RE = re.compile(rb"^MemoryError\b", re.MULTILINE)

# Fresh namespaces for each job (linux/sched.h, linux/mount.h).
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x08000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 1 << 18
_libc = ctypes.CDLL(None, use_errno=True)
# libc itself, called with the GIL held: for fork_lightly.
_libc_holding_gil = ctypes.PyDLL(None, use_errno=True)
# The files baked into the sandbox image (sandbox/Dockerfile), bound into bubblewrap's, and
# hashed in this order for the image's label (scripts/build_sandbox_image.sh).
BAKED_FILES = ("runner.py", "procutil.py", "syscall_filter.py", "page_cache.py")
# Why jobs cannot have namespaces of their own here, or None (found when the runner starts).
NAMESPACES_PROBLEM: str | None = "not probed"


def baked_files() -> list[str]:
    """BAKED_FILES' paths in this tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.join(here, name) for name in BAKED_FILES]


@dataclass(frozen=True)
class JobLimits:
    timeout_s: float  # CPU seconds of the job's processes; the wall clock is only a backstop
    memory_mb: int
    output_limit_bytes: int
    nproc: int
    nofile: int
    fsize_bytes: int
    wall_limit_s: float | None = None  # the caller's own deadline, when nearer than the ceiling


@dataclass
class Outcome:
    status: str
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    duration_ms: float
    truncated: bool
    oom_killed: bool = False  # the container's OOM killer struck during the job
    cpu_ms: float = 0.0  # CPU time of the job's main process and the children it waited for


def job_env(work_dir: str) -> dict[str, str]:
    return procutil.job_env(work_dir)


def python_argv(interpreter: str = sys.executable, *, judge_entry: str | None = None) -> list[str]:
    if judge_entry is not None:
        # The judge: isolated, nothing of the environment or any writable dir on sys.path.
        return [interpreter, "-I", "-B", judge_entry]
    # -E -s: no PYTHON* variables, no user site. Not -I: a job may import the files it
    # ships next to main.py.
    return [interpreter, "-E", "-s", "-B", MAIN_FILE]


def apply_rlimits(limits: JobLimits) -> None:
    """Set the job's rlimits; runs in the child between fork and exec."""
    memory = limits.memory_mb * 1024 * 1024
    # The budget itself is judged on the CPU time measured when the job is reaped (run_process);
    # the kernel's limit only stops a job past it: SIGXCPU a second later, SIGKILL one more
    # second on for a job that catches it. (At exactly the budget, the rusage figure can read
    # ~10% below what RLIMIT_CPU counted, so the limit itself cannot be the verdict.)
    cpu = math.ceil(limits.timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    for name, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_NPROC, limits.nproc),
        (resource.RLIMIT_NOFILE, limits.nofile),
        (resource.RLIMIT_FSIZE, limits.fsize_bytes),
        (resource.RLIMIT_CORE, 0),
        # No locked memory: mlock moves a host-wide counter (/proc/vmstat, /proc/meminfo's
        # Mlocked) that any sandbox reads (red team v4, HOLE 3), and no case needs it. A
        # judge's cases inherit it: nothing in the job can raise a hard limit.
        (resource.RLIMIT_MEMLOCK, 0),
    ):
        resource.setrlimit(name, (value, value))
    # The runner outranks its job for the CPU: a fork bomb must not starve the one process
    # that will kill it. (Only within the sandbox: the job's session and cgroup are its own.)
    os.nice(JOB_NICENESS)
    # Make the job, not the runner, the first victim of the container's OOM killer.
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")


def classify(
    returncode: int | None,
    *,
    timed_out: bool,
    output_capped: bool,
    stderr: bytes,
    oom_killed: bool = False,
) -> str:
    if timed_out:
        return "timeout"
    if output_capped:
        return "output_limit"
    if returncode == 0:
        return "ok"
    if oom_killed or MEMORY_ERROR_RE.search(stderr[-4096:]):
        return "memory_limit"
    return "error"


def _open_exit_fd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None  # old kernel or gVisor: the pipes' EOF tells instead


class Child:
    """A started job as its supervisor sees it: the runner's ends of its three pipes, an fd
    that becomes readable when it has ended (or None: the pipes' EOF tells), and how to learn
    how it ended."""

    stdin_fd: int
    stdout_fd: int
    stderr_fd: int
    done_fd: int | None

    def reap(self, deadline: Callable[[], float] | None) -> tuple[int, float] | None:
        """(return code, CPU seconds) once it has ended, or None past deadline() (a deadline
        of None: wait as long as it takes)."""
        raise NotImplementedError

    def close(self, kill_tree: Callable[[], None]) -> None:
        """Release what is left; kill_tree first if it has not been reaped."""
        raise NotImplementedError


class _PopenChild(Child):
    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.stdout_fd, self.stderr_fd = proc.stdout.fileno(), proc.stderr.fileno()
        self.stdin_fd = os.dup(proc.stdin.fileno())  # the pump owns (and closes) this one
        proc.stdin.close()
        self.done_fd = _open_exit_fd(proc.pid)

    def reap(self, deadline: Callable[[], float] | None) -> tuple[int, float] | None:
        return _reap(self.proc, self.done_fd, deadline)

    def close(self, kill_tree: Callable[[], None]) -> None:
        if self.done_fd is not None:
            os.close(self.done_fd)
        for stream in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()
        if self.proc.returncode is None:
            kill_tree()
            self.proc.wait()


def run_process(
    argv: list[str],
    *,
    cwd: str | None,
    env: Mapping[str, str],
    stdin: bytes,
    limits: JobLimits,
    kill_tree: Callable[[subprocess.Popen], None],
    user: int | None = None,
    preexec_fn: Callable[[], None] | None = None,
    oom_probe: Callable[[], int] | None = None,
    pass_fds: tuple[int, ...] | list[int] = (),
    clock: procutil.JobClock | None = None,
) -> Outcome:
    """Run argv within a CPU budget (wall-clock backstop), output capped while it streams
    (see supervise). kill_tree must kill the process and everything it started (its group,
    its uid, ...); clock defaults to the main process alone."""
    started: list[subprocess.Popen] = []

    def spawn() -> Child:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
            process_group=0,
            user=user,
            group=user,
            extra_groups=[] if user is not None else None,
            preexec_fn=preexec_fn,
            pass_fds=tuple(pass_fds),
        )
        started.append(proc)
        return _PopenChild(proc)

    return supervise(
        spawn,
        stdin=stdin,
        limits=limits,
        kill_tree=lambda: kill_tree(started[0]),
        oom_probe=oom_probe,
        clock=clock or procutil.JobClock(lambda: (started[0].pid,)),
    )


def supervise(
    spawn: Callable[[], Child],
    *,
    stdin: bytes,
    limits: JobLimits,
    kill_tree: Callable[[], None],
    clock: procutil.JobClock,
    oom_probe: Callable[[], int] | None = None,
) -> Outcome:
    """Start a job (spawn) and see it through within its CPU budget, output capped while it
    streams.

    kill_tree must kill the job and everything it started. The budget is limits.timeout_s of
    CPU (RLIMIT_CPU, and the CPU time the kernel reports when the job is reaped), so a loaded
    machine does not turn a pass into a timeout; clock also sums the CPU time of all the
    job's processes, so work spread over many processes meets the same budget.
    procutil.wall_backstop_s(timeout_s) of wall-clock time ends a job that sleeps or stops,
    extended by the time the job's processes waited for a busy CPU, up to
    procutil.wall_ceiling_s(timeout_s).
    """
    oom_before = oom_probe() if oom_probe else 0
    start = time.monotonic()
    backstop = start + procutil.wall_backstop_s(limits.timeout_s)
    ceiling = start + procutil.wall_ceiling_s(limits.timeout_s)
    if limits.wall_limit_s is not None:
        ceiling = min(ceiling, start + limits.wall_limit_s)
        backstop = min(backstop, ceiling)
    child = spawn()
    out_fd, err_fd = child.stdout_fd, child.stderr_fd

    def deadline() -> float:
        if clock.cpu_s() >= limits.timeout_s:
            return start  # over its CPU budget, in all its processes together: passed
        now = time.monotonic()
        # Never more extension than time has passed: N runnable processes of a job wait N
        # times as fast, and a job that starves itself (a fork bomb) is not the machine's load.
        return min(backstop + min(clock.waited_s(), now - start), ceiling)

    returncode: int | None = None
    cpu_s = 0.0
    timed_out = False
    try:
        pumped = procutil.pump(
            dict.fromkeys((out_fd, err_fd), limits.output_limit_bytes),
            outbox={child.stdin_fd: stdin},
            total_cap=limits.output_limit_bytes,
            deadline=deadline,
            done_fd=child.done_fd,
        )
        timed_out = pumped.timed_out
        if timed_out or pumped.capped:
            kill_tree()
        reaped = child.reap(deadline)
        if reaped is None:
            timed_out = True
            kill_tree()
            reaped = child.reap(None)
        returncode, cpu_s = reaped
    finally:
        child.close(kill_tree)
    duration_ms = (time.monotonic() - start) * 1000
    stdout, stderr = pumped.outputs[out_fd], pumped.outputs[err_fd]
    oom_killed = oom_probe is not None and oom_probe() > oom_before
    # Over the CPU budget is a timeout however the job ended: killed by SIGXCPU or SIGKILL
    # at the hard limit, or a handler for SIGXCPU that exited cleanly.
    over_budget = (
        cpu_s >= limits.timeout_s
        or clock.cpu_s() >= limits.timeout_s
        or returncode == -signal.SIGXCPU
    )
    status = classify(
        returncode,
        timed_out=timed_out or over_budget,
        output_capped=pumped.capped,
        stderr=stderr,
        oom_killed=oom_killed,
    )
    return Outcome(
        status=status,
        exit_code=None if status == "timeout" else returncode,
        stdout=stdout,
        stderr=stderr,
        duration_ms=duration_ms,
        truncated=pumped.capped,
        oom_killed=oom_killed,
        # The reaped figure misses a job killed before its processes were waited for (its
        # pid 1 is killed with it): the clock saw each of them.
        cpu_ms=max(cpu_s, clock.cpu_s()) * 1000,
    )


def _reap(
    proc: subprocess.Popen, exit_fd: int | None, deadline: Callable[[], float] | None
) -> tuple[int, float] | None:
    """Wait for proc until deadline(): (return code, CPU seconds), or None if it still runs."""
    while True:
        pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(wait_status)
            return proc.returncode, usage.ru_utime + usage.ru_stime
        remaining = deadline() - time.monotonic()
        if remaining <= 0:
            return None
        if exit_fd is not None:
            select.select([exit_fd], [], [], min(remaining, procutil.DEADLINE_RECHECK_S))
        else:
            time.sleep(min(remaining, 0.01))


# --- a job's own namespaces ---------------------------------------------------------------
# A warm sandbox runs many jobs, and kernel counters outlive a job's files: the next inode
# number of a tmpfs, the pid counter, SysV IPC ids. A right solution can leave its answer
# there (create files until the next inode number is the answer) and a wrong one in a later
# job of the same sandbox read it back: 1.0 for a wrong answer (red team v3, HOLE 2). So each
# job gets pid, mount and IPC namespaces of its own, with fresh tmpfs on every directory its
# processes can write: every counter starts where the last job's started.


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        _libc.mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() or None,
        ),
        f"mount {target}",
    )


def fresh_tmpfs_options(path: str) -> tuple[int, str]:
    """Mount flags and options for a tmpfs like the one mounted at `path` (its size, inodes,
    mode, owner), so a fresh one gives the job exactly what the sandbox gave it before."""
    fs, st = os.statvfs(path), os.stat(path)
    flags = fs.f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)
    options = (
        f"size={fs.f_blocks * fs.f_frsize},nr_inodes={fs.f_files},"
        f"mode={st.st_mode & 0o7777:o},uid={st.st_uid},gid={st.st_gid}"
    )
    return flags, options


def writable_places(extra: tuple[str, ...] = ()) -> list[str]:
    """The shared scratch dirs that are tmpfs mounts here, then `extra` (a job's own dirs).
    /dev/mqueue needs nothing: its queues are the IPC namespace's, new with it."""
    found = [
        path
        for path in procutil.SHARED_SCRATCH_DIRS
        if path != "/dev/mqueue" and os.path.ismount(path)
    ]
    return found + list(extra)


# --- what a job's own /proc and /sys show ------------------------------------------------
# A fresh /proc is the kernel's whole view, without the masks Docker put over the sandbox's:
# put them back, and hide as well the host-wide counters a case can move and another
# sandbox's case read (red team v4, HOLE 3: /proc/vmstat's count of mlocked pages carried a
# whole answer across sandboxes). Each path is hidden only where it exists; files behind
# /dev/null, directories behind an empty read-only tmpfs. What is left readable (meminfo,
# loadavg: honest code and the judge read them) moves with everything the host does:
# docs/sandbox.md.
MASKED_PROC_PATHS = (
    # Docker's default masks
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    # host-wide counters
    "/proc/vmstat",
    "/proc/stat",  # forks, context switches, interrupts since boot (nothing here reads it)
    "/proc/zoneinfo",
    "/proc/buddyinfo",
    "/proc/pagetypeinfo",
    "/proc/schedstat",
    "/proc/softirqs",
    "/proc/diskstats",
    "/proc/key-users",
    "/proc/pressure",
    # host-wide gauges a running case moves and one in another sandbox reads at once
    "/proc/sys/fs/file-nr",
    "/proc/sys/fs/inode-nr",
    "/proc/sys/fs/inode-state",
    "/proc/sys/fs/dentry-state",
)
# Docker's read-only paths (besides /proc/sys, which read_only_proc_sys keeps).
READ_ONLY_PROC_PATHS = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger")
# The sandbox's cgroup: its counters (memory.max_usage_in_bytes, failcnt, cpuacct.usage) are
# the whole sandbox's and outlive a job (red team v4, HOLE 1: a right solution left its answer
# in the memory high-water mark for a later job's wrong one). Hidden from every job; a judge
# sees it at its own place (REWARDD_CGROUP_ROOT, procutil.CGROUP_ROOT), which only its uid
# and root's group can enter.
CGROUP_DIR = "/sys/fs/cgroup"
EMPTY_TMPFS = (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,nr_inodes=2,mode=555")


def read_only(path: str) -> None:
    _mount(path, path, None, MS_BIND | MS_REC)
    _mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC)


def hide(path: str) -> None:
    if os.path.isdir(path):
        _mount("tmpfs", path, "tmpfs", *EMPTY_TMPFS)
    else:
        _mount("/dev/null", path, None, MS_BIND)
        _mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY)


def mask_proc() -> None:
    """In a job's fresh /proc: Docker's masks and read-only paths, and the host's counters."""
    read_only("/proc/sys")
    for path in READ_ONLY_PROC_PATHS:
        if os.path.exists(path):
            read_only(path)
    for path in MASKED_PROC_PATHS:
        if os.path.exists(path):
            hide(path)


def hide_cgroup(judge_view: str | None) -> None:
    """Cover the sandbox's cgroup for the job; first bind it at judge_view, if given."""
    if not os.path.isdir(CGROUP_DIR):
        return
    if judge_view is not None:
        _mount(CGROUP_DIR, judge_view, None, MS_BIND | MS_REC)
    _mount("tmpfs", CGROUP_DIR, "tmpfs", *EMPTY_TMPFS)


def enter_fresh_namespaces(places: list[str]) -> int:
    """As pid 1 of a new pid namespace (root, single-threaded): mount and IPC namespaces of
    its own, a /proc of its pid namespace with the host's counters masked there (mask_proc)
    and a fresh tmpfs on each of `places`, which every process it starts then shares. The
    sandbox's cgroup is hidden once the job is known (hide_cgroup: a judge sees it).
    The namespace's pid counter, opened before /proc/sys is read-only (or -1)."""
    shapes = [(place, *fresh_tmpfs_options(place)) for place in places]
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing of ours reaches the sandbox's
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    counter_fd = procutil.open_pid_counter()
    mask_proc()
    mount_fresh_tmpfs(shapes)
    return counter_fd


def mount_fresh_tmpfs(shapes: list[tuple[str, int, str]]) -> None:
    for place, flags, options in shapes:
        _mount("tmpfs", place, "tmpfs", flags, options)


# Above any fd the runner holds (it opens a handful): what pid 1 of a job's namespace closes.
HELPER_FD_LIMIT = 1 << 16
# What pid 1 of a prepared namespace tells the runner, one line each on its status pipe:
# ready (its namespaces are made), the job's end ("S <wait status> <CPU seconds>"), or why it
# could not go on ("E <JSON text>").
READY, ENDED, FAILED = b"R", b"S", b"E"
# How long pid 1 may take to make the namespaces, and an ended namespace to go away.
NAMESPACE_START_S = 10.0
NAMESPACE_END_S = 10.0


def fork_lightly() -> int:
    """fork(2) without Python's after-fork work in the child (threading's and random's hooks
    and the interpreter's own reinit): ~100 page faults, 0.7 ms of CPU per fork of the runner
    here, twice per job. Only for this single-threaded runner, whose children run a few lines
    of its own code and then exec or _exit."""
    pid = _libc_holding_gil.fork()
    if pid < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"fork: {os.strerror(code)}")
    return pid


def close_all_but(keep: set[int]) -> None:
    """Close every fd but `keep`: pid 1's copies of the runner's fds (its protocol pipes, the
    other ends of the job's pipes) must not keep them open."""
    low = 0
    for fd in sorted(keep):
        if low < fd:  # never an empty range: closerange(n, n) closes every fd from n on
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, HELPER_FD_LIMIT)


class JobNamespace(Child):
    """Fresh pid, mount and IPC namespaces for one job, made ahead while the runner waits for
    it (JobNamespaces.prepare), so that making them is not on the job's path.

    The runner forks pid 1 of a new pid namespace (unshare(CLONE_NEWPID) applies to its next
    child only, and setns puts its own back). Pid 1 makes the mount and IPC namespaces and
    the fresh tmpfs, forks pid 2, says it is ready, then reaps every process that ends there
    until pid 2 has and writes how it ended before it exits, which ends the namespace: the
    kernel kills whatever the job left. Pid 2 waits for the job (start), becomes it and
    execs it: an ordinary process in a session of its own (pid 1 would ignore every signal
    it has no handler for), with no fork left on the job's path. So the runner learns the
    job's end without waiting for the kernel to take the namespaces down (done in the exit of
    their last process: the unmount of the whole tree, the pid namespace's reaping);
    JobNamespaces.take waits for that before the next job starts."""

    pid: int = -1  # pid 1, as the runner numbers it

    def __init__(self, places: list[str], own_pid_ns: int) -> None:
        control_r, self.control_w = os.pipe()
        self.status_r, status_w = os.pipe()
        stdin_r, self.stdin_fd = os.pipe()
        self.stdout_fd, stdout_w = os.pipe()
        self.stderr_fd, stderr_w = os.pipe()
        theirs = (control_r, status_w, stdin_r, stdout_w, stderr_w)
        ours = (self.control_w, self.status_r, self.stdin_fd, self.stdout_fd, self.stderr_fd)
        self.done_fd = self.status_r  # readable once pid 1 has told the end (or died)
        self._told = bytearray()
        self.ready = self.ended = False
        self._stdin_ours = True  # until start hands it to the supervisor's pump
        self._result: tuple[int, float] = (-signal.SIGKILL, 0.0)
        try:
            _check(_libc.unshare(CLONE_NEWPID), "unshare")
            try:
                self.pid = fork_lightly()
            finally:
                if self.pid != 0:  # our next children are ours again, in our namespace
                    _check(_libc.setns(own_pid_ns, CLONE_NEWPID), "setns")
        except BaseException:
            for fd in theirs + ours:
                os.close(fd)
            raise
        if self.pid == 0:
            _be_pid_1(places, control_r, status_w, (stdin_r, stdout_w, stderr_w))
        for fd in theirs:
            os.close(fd)

    def _line(self, timeout_s: float | None) -> bytes | None:
        """The next line pid 1 wrote, None once it has closed its end; TimeoutError first."""
        while b"\n" not in self._told:
            if timeout_s is not None and not select.select([self.status_r], [], [], timeout_s)[0]:
                raise TimeoutError("no word from pid 1 of the job's namespace")
            data = os.read(self.status_r, 4096)
            if not data:
                return None
            self._told += data
        line, _, rest = bytes(self._told).partition(b"\n")
        self._told = bytearray(rest)
        return line

    def wait_ready(self) -> None:
        if self.ready:
            return
        try:
            line = self._line(NAMESPACE_START_S)
        except TimeoutError:
            os.kill(self.pid, signal.SIGKILL)
            raise
        if line != READY:
            raise OSError(f"no namespaces for the job: {_told_failure(line)}")
        self.ready = True

    def said_more(self) -> bool:
        """Pid 1 wrote more than ready, or is gone, before it was given a job."""
        return bool(self._told) or bool(select.select([self.status_r], [], [], 0)[0])

    def start(self, job: Mapping) -> JobNamespace:
        """Hand pid 2 the job (what plan_job needs: judge, uid, limits); it becomes it."""
        write_all(self.control_w, json.dumps(job).encode())
        os.close(self.control_w)
        self.control_w = -1
        self._stdin_ours = False
        return self

    def reap(self, deadline: Callable[[], float] | None) -> tuple[int, float] | None:
        if self.ended:
            return self._result
        while True:
            wait = None
            if deadline is not None:
                wait = deadline() - time.monotonic()
                if wait <= 0:
                    return None
                wait = min(wait, procutil.DEADLINE_RECHECK_S)
            try:
                line = self._line(wait)
            except TimeoutError:
                continue
            self.ended = True
            if line is None:  # pid 1 was killed (kill_tree): so was everything in there
                return self._result
            if not line.startswith(ENDED + b" "):
                raise OSError(f"could not start the job: {_told_failure(line)}")
            wait_status, cpu_s = line.split()[1:]
            self._result = os.waitstatus_to_exitcode(int(wait_status)), float(cpu_s)
            return self._result

    def close(self, kill_tree: Callable[[], None]) -> None:
        if not self.ended:
            kill_tree()
            with contextlib.suppress(OSError):
                self.reap(None)
        mine = [self.status_r, self.stdout_fd, self.stderr_fd, self.control_w]
        if self._stdin_ours:
            mine.append(self.stdin_fd)
        for fd in mine:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.status_r = self.stdout_fd = self.stderr_fd = self.control_w = -1
        self._stdin_ours = False


def _told_failure(line: bytes | None) -> str:
    if line is None:
        return "pid 1 of its namespace died"
    if line.startswith(FAILED + b" "):
        with contextlib.suppress(ValueError):
            return str(json.loads(line[2:]))
    return repr(line[:200])


def _be_pid_1(
    places: list[str], control_r: int, status_w: int, job_fds: tuple[int, int, int]
) -> None:
    """Pid 1 of a job's namespace (see JobNamespace). Never returns."""
    try:
        # Python's handler would make a SIGINT from a root judge in here end us early; with
        # the default action, pid 1 of a namespace ignores signals sent from inside it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        close_all_but({control_r, status_w, *job_fds})
        counter_fd = enter_fresh_namespaces(places)
        # A judge's zygote asks on this to set the pid counter back before each case.
        ours, theirs = -1, -1
        if counter_fd >= 0:
            pair = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            ours, theirs = (end.detach() for end in pair)
        job = fork_lightly()
        if job == 0:
            _be_the_job(control_r, status_w, job_fds, theirs)
        for fd in (control_r, *job_fds, theirs):
            if fd >= 0:
                os.close(fd)
        os.write(status_w, READY + b"\n")
        if ours >= 0:
            procutil.serve_pid_counter(ours, counter_fd, job)
        ended = (job, 0x7F00)  # "exited 127", if the job were ever lost
        with contextlib.suppress(ChildProcessError):
            while (ended := os.waitpid(-1, 0))[0] != job:  # EINTR is retried (PEP 475)
                pass
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = usage.ru_utime + usage.ru_stime
        os.write(status_w, b"%s %d %r\n" % (ENDED, ended[1], cpu_s))
    except BaseException:
        _tell_failure(status_w)
    finally:
        os._exit(0)


def _be_the_job(
    control_r: int, status_w: int, job_fds: tuple[int, int, int], pid_counter: int
) -> None:
    """Pid 2 of a job's namespace, forked ahead with it: waits for the job (what plan_job
    needs), becomes it and execs it, as subprocess's child would have. Never returns.
    pid_counter: pid 1's end for resets of the pid counter, which only a judge keeps."""
    try:
        if pid_counter >= 0:  # out of the way of the job's fds 0, 1 and 2
            moved = fcntl.fcntl(pid_counter, fcntl.F_DUPFD_CLOEXEC, 3)
            os.close(pid_counter)
            pid_counter = moved
        given = bytearray()
        while data := os.read(control_r, 65536):
            given += data
        if not given:
            os._exit(0)  # the runner gave this namespace up
        job = json.loads(given)
        plan = plan_job(bool(job["judge"]), int(job["uid"]), JobLimits(**job["limits"]))
        hide_cgroup(plan.cgroup_view)
        mount_fresh_tmpfs([(place, *fresh_tmpfs_options(place)) for place in plan.own_dirs])
        for target, fd in enumerate(job_fds):
            os.dup2(fd, target)  # inheritable: the job's stdin, stdout and stderr
        keep = {0, 1, 2, status_w}  # status_w is close-on-exec
        env = plan.env
        if job["judge"] and pid_counter >= 0:
            os.set_inheritable(pid_counter, True)
            keep.add(pid_counter)
            env = {**env, procutil.PID_COUNTER_FD_ENV: str(pid_counter)}
        close_all_but(keep)
        os.chdir(plan.cwd)
        # What subprocess restores before an exec: Python ignores both at its start.
        for signum in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(signum, signal.SIG_DFL)
        drop_runner_only_capabilities()
        # A session and process group of its own, numbered in its namespace.
        os.setsid()
        if plan.user is not None:  # the namespaces needed root: the job's uid comes after
            become(plan.user)
        plan.preexec_fn()
        os.execve(plan.argv[0], plan.argv, env)
    except BaseException:
        _tell_failure(status_w)
    finally:
        os._exit(127)


def _tell_failure(status_w: int) -> None:
    with contextlib.suppress(BaseException):
        told = json.dumps(traceback.format_exc(limit=4)).encode()
        os.write(status_w, FAILED + b" " + told + b"\n")


class JobNamespaces:
    """The runner's supply of JobNamespace: one made ahead (prepare, while the runner is
    idle), and the pid 1s of ended jobs, each reaped (its namespaces gone) before the next job
    starts."""

    def __init__(self) -> None:
        self._own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
        self.spare: JobNamespace | None = None
        self.retired: list[int] = []

    def probe(self) -> str | None:
        """None when jobs can have namespaces of their own here (the first one is made and
        kept), else why not (told once, at the ping: the host logs it)."""
        try:
            self.take_ready()
            return None
        except Exception as exc:
            self.give_up()
            return (
                "no fresh namespaces per job (the runner needs CAP_SYS_ADMIN and mount rights): "
                f"{exc}"
            )

    def prepare(self) -> None:
        self._reap_retired(block=False)
        if self.spare is None:
            self.spare = JobNamespace(writable_places(), self._own_pid_ns)

    def take_ready(self) -> JobNamespace:
        """The spare namespace, ready, once nothing of an earlier job's namespaces is left.
        It stays the spare until take() hands it to a job."""
        self._reap_retired(block=True)
        if self.spare is not None and self.spare.ready and self.spare.said_more():
            self.give_up()  # its pid 1 died while it waited (or failed): a new one
        self.prepare()
        self.spare.wait_ready()
        return self.spare

    def take(self) -> JobNamespace:
        try:
            spare = self.take_ready()
        except BaseException:
            self.give_up()
            raise
        self.spare = None
        return spare

    def retire(self, namespace: JobNamespace) -> None:
        """namespace's job has ended (or was never started): its pid 1 exits."""

        def kill() -> None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(namespace.pid, signal.SIGKILL)

        namespace.close(kill)
        self.retired.append(namespace.pid)

    def give_up(self) -> None:
        if self.spare is not None:
            spare, self.spare = self.spare, None
            with contextlib.suppress(OSError):
                os.kill(spare.pid, signal.SIGKILL)
            spare.ended = True
            self.retire(spare)

    def _reap_retired(self, *, block: bool) -> None:
        for pid in list(self.retired):
            if block:
                _wait_for_end(pid)
            elif os.waitpid(pid, os.WNOHANG)[0] == 0:
                continue
            self.retired.remove(pid)


def _wait_for_end(pid: int) -> None:
    """Reap pid, SIGKILLed if it takes longer than NAMESPACE_END_S; RuntimeError if even
    that does not end it."""
    exit_fd = _open_exit_fd(pid)
    try:
        for kill_first in (False, True):
            if kill_first:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + NAMESPACE_END_S
            while os.waitpid(pid, os.WNOHANG)[0] == 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                if exit_fd is not None:
                    select.select([exit_fd], [], [], remaining)
                else:
                    time.sleep(0.001)
            else:
                return
    finally:
        if exit_fd is not None:
            os.close(exit_fd)
    raise RuntimeError(f"pid 1 of an earlier job's namespace ({pid}) does not end")


_weaker_sandboxes_told: set[str] = set()


def warn_if_weaker(pong: Mapping, sandbox: str, log: Callable[..., None]) -> None:
    """Host side: say once per sandbox kind that its runner cannot isolate jobs from each
    other (its ping's namespaces_problem); jobs then share the sandbox's kernel counters."""
    problem = pong.get("namespaces_problem")
    if problem and sandbox not in _weaker_sandboxes_told:
        _weaker_sandboxes_told.add(sandbox)
        log("sandbox %s: %s: a job can read counters an earlier job left", sandbox, problem)


# The runner's own capabilities, which no job may keep: CAP_SYS_ADMIN makes the namespaces,
# CAP_SETPCAP takes both out of the job's bounding set, so that a job started as root (the
# judge, which drops to its own uid itself) does not get them back at its exec.
RUNNER_ONLY_CAPABILITIES = {"CAP_SYS_ADMIN": 21, "CAP_SETPCAP": 8}
PR_CAPBSET_DROP = 24


PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def drop_runner_only_capabilities() -> None:
    """Out of the bounding set (which a root exec fills permitted from), then out of every
    set this process holds: bubblewrap's --cap-add makes them inheritable and ambient too,
    which an exec would keep."""
    for name, number in RUNNER_ONLY_CAPABILITIES.items():
        _check(_libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(number), 0, 0, 0), f"drop {name}")
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient")
    header, data = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    _check(_libc.capget(ctypes.byref(header), data), "capget")
    for number in RUNNER_ONLY_CAPABILITIES.values():
        mask = ~(1 << (number % 32)) & 0xFFFFFFFF
        part = data[number // 32]
        part.effective &= mask
        part.permitted &= mask
        part.inheritable &= mask
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def become(uid: int) -> None:
    """The job's uid and gid, no supplementary groups, no capabilities left."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def pick_job_uid() -> int:
    """J, the first uid of a fresh block; J+1 .. J+UID_BLOCK-1 are for the job's cases."""
    return JOB_UID_BASE + secrets.randbelow(UID_BLOCKS) * UID_BLOCK


def write_job_files(work_dir: str, code: str | None, files: Mapping[str, str]) -> None:
    """The job's files (and main.py unless code is None), readable by all, dirs 0755."""
    for rel_path, content in files.items():
        full = os.path.join(work_dir, rel_path)
        parent = os.path.dirname(full)
        if not os.path.isdir(parent):
            os.makedirs(parent)
        with open(full, "w", encoding="utf-8") as f:
            f.write(content)
    if code is not None:
        with open(os.path.join(work_dir, MAIN_FILE), "w", encoding="utf-8") as f:
            f.write(code)
    for root, dirs, names in os.walk(work_dir):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in names:
            os.chmod(os.path.join(root, name), 0o644)
    os.chmod(work_dir, 0o755)


# Bytecode of the judge's modules, by source: compiled once per runner, not in every job.
_BYTECODE: dict[str, bytes] = {}
BYTECODE_CACHE_ENTRIES = 256


def write_bytecode(files_dir: str, files: Mapping[str, str]) -> None:
    """Next to each shipped .py (already written), its bytecode in __pycache__, hash-checked
    (used only while the source hashes the same), so the judge's two interpreters do not
    compile ~30 ms of source at every job's start. Root-owned, 0644 (umask): read-only."""
    for rel_path, source in files.items():
        if not rel_path.endswith(".py"):
            continue
        full = os.path.join(files_dir, rel_path)
        target = importlib.util.cache_from_source(full)
        data = _BYTECODE.get(source)
        if data is None:
            try:
                py_compile.compile(
                    full,
                    cfile=target,
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
                )
                with open(target, "rb") as f:
                    data = f.read()
            except (py_compile.PyCompileError, OSError):
                continue  # the interpreter reports it when it imports the source
            if len(_BYTECODE) >= BYTECODE_CACHE_ENTRIES:
                _BYTECODE.clear()
            _BYTECODE[source] = data
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)


def chown_tree(path: str, uid: int) -> None:
    # Bottom-up: once a 0700 directory is the job's, the runner (no CAP_DAC_OVERRIDE) is locked out.
    for root, dirs, files in os.walk(path, topdown=False):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, uid)
    os.chown(path, uid, uid)


# --- the in-sandbox server ------------------------------------------------------------------


def _oom_kill_count() -> int:
    """The container cgroup's OOM-kill counter (cgroup v2 or v1), 0 if unreadable."""
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path, "rb") as f:
                match = re.search(rb"^oom_kill (\d+)", f.read(), re.MULTILINE)
        except OSError:
            continue
        if match:
            return int(match.group(1))
    return 0


@dataclass(frozen=True)
class _JobPlan:
    argv: list[str]
    cwd: str
    env: dict[str, str]
    user: int | None
    preexec_fn: Callable[[], None]
    own_dirs: tuple[str, ...] = ()  # where its processes write, beside the shared scratch
    cgroup_view: str | None = None  # where the judge sees the sandbox's cgroup (hide_cgroup)


def plan_job(judge: bool, uid: int, limits: JobLimits) -> _JobPlan:
    """How job `uid` starts, once prepare_job has made its files: made by the runner, or by
    pid 1 of the job's namespace from the same three facts."""
    return (_plan_judge_job if judge else _plan_plain_job)(uid, limits)


def prepare_job(request: Mapping, uid: int) -> None:
    """The job's files and dirs, made by the runner before the job starts."""
    (_prepare_judge_job if request.get("judge") else _prepare_plain_job)(request, uid)


def _prepare_plain_job(request: Mapping, uid: int) -> None:
    work_dir = os.path.join(WORK_ROOT, f"job-{uid}")
    os.mkdir(work_dir)
    write_job_files(work_dir, request["code"], request.get("files") or {})
    os.chmod(work_dir, 0o700)  # before the chown: without CAP_FOWNER only the owner may chmod
    chown_tree(work_dir, uid)


def _plan_plain_job(uid: int, limits: JobLimits) -> _JobPlan:
    work_dir = os.path.join(WORK_ROOT, f"job-{uid}")

    def enter_job() -> None:
        # After the switch to the job's uid: the runner itself cannot enter the 0700 work dir.
        os.chdir(work_dir)
        apply_rlimits(limits)
        # The calls a judge's cases are refused, refused here too (docs/sandbox.md): a plain
        # job is the same untrusted code, and the sandbox's other jobs share its kernel.
        syscall_filter.install()

    return _JobPlan(python_argv(), "/", job_env(work_dir), uid, enter_job)


def _judge_dirs(uid: int) -> tuple[str, str, str, str]:
    """base, files, scratch and case root of judge job `uid`."""
    base = os.path.join(JUDGE_ROOT, str(uid))
    files_dir = os.path.join(base, "files")
    return base, files_dir, os.path.join(base, "scratch"), os.path.join(WORK_ROOT, f"cases-{uid}")


def _prepare_judge_job(request: Mapping, uid: int) -> None:
    base, files_dir, scratch, case_root = _judge_dirs(uid)
    os.mkdir(base)
    os.chmod(base, 0o755)
    os.mkdir(files_dir)
    code = request.get("code") or None
    write_job_files(files_dir, code, request.get("files") or {})
    write_bytecode(files_dir, request.get("files") or {})
    os.mkdir(scratch, 0o700)
    os.chown(scratch, uid, uid)
    os.mkdir(case_root)
    os.chmod(case_root, 0o711)
    # Behind a dir of J's and root's group's (the judge reads it as root before it becomes
    # J; no case can enter): the mount point's own mode is the bound tree's, not this one's.
    gate, cgroup_view = _judge_cgroup_view(uid)
    os.mkdir(gate, 0o770)  # the group's write: the runner's sweep removes the view after
    os.mkdir(cgroup_view)
    os.chown(gate, uid, 0)


def _judge_cgroup_view(uid: int) -> tuple[str, str]:
    """The dir that gates judge job `uid`'s view of the sandbox's cgroup, and the view."""
    gate = os.path.join(JUDGE_ROOT, str(uid), "cgroup")
    return gate, os.path.join(gate, "view")


def _plan_judge_job(uid: int, limits: JobLimits) -> _JobPlan:
    _, files_dir, scratch, case_root = _judge_dirs(uid)
    _, cgroup_view = _judge_cgroup_view(uid)
    env = {
        **job_env(scratch),
        "REWARDD_JUDGE_UID": str(uid),
        "REWARDD_CASE_UIDS": f"{uid + 1}:{UID_BLOCK - 1}",
        "REWARDD_CASE_ROOT": case_root,
        "REWARDD_CGROUP_ROOT": cgroup_view,
    }
    entry = os.path.join(files_dir, JUDGE_ENTRY)
    # cwd: its own files. Root without CAP_DAC_OVERRIDE cannot enter J's 0700 scratch; the
    # judge moves there (TMPDIR) once it is J.
    return _JobPlan(
        python_argv(judge_entry=entry),
        files_dir,
        env,
        None,
        lambda: apply_rlimits(limits),
        own_dirs=(case_root,),  # its cases' dirs: made there, by the judge, as each starts
        cgroup_view=cgroup_view,
    )


def _sweep(exiting: set[int]) -> list[str]:
    """Kill everything but this runner (and `exiting`: pid 1s whose job has ended, on their
    way out) and wipe every writable place; what is left over."""
    reasons = []
    if not procutil.kill_all_but(exiting):
        reasons.append("processes survived SIGKILL")
    failed = []
    for top in (WORK_ROOT, JUDGE_ROOT, *procutil.SHARED_SCRATCH_DIRS):
        if os.path.isdir(top):
            failed += procutil.wipe_below(top)
    procutil.remove_ipc()
    if failed:
        reasons.append(f"could not delete: {failed[:3]}")
    reasons += procutil.ipc_leftovers()
    return reasons


def _job_processes() -> list[int]:
    mine = os.getpid()
    return [pid for pid in procutil.process_table() if pid not in (1, mine)]


def run_job(request: Mapping, namespaces: JobNamespaces | None = None) -> dict:
    """One job; in namespaces of its own (one of `namespaces`) unless that is None."""
    limits = JobLimits(**request["limits"])
    uid = pick_job_uid()
    judge = bool(request.get("judge"))
    prepare_job(request, uid)
    stdin = request.get("stdin", "").encode("utf-8")
    # Everything in this sandbox but the runner is the job's: the judge's cases included.
    clock = procutil.JobClock(_job_processes)
    exiting: set[int] = set()
    if namespaces is not None:
        namespace = namespaces.take()
        exiting.add(namespace.pid)
        try:
            outcome = supervise(
                lambda: namespace.start({"judge": judge, "uid": uid, "limits": request["limits"]}),
                stdin=stdin,
                limits=limits,
                kill_tree=lambda: procutil.kill_all_but(set()),
                oom_probe=_oom_kill_count,
                clock=clock,
            )
        finally:
            namespaces.retire(namespace)
    else:
        plan = plan_job(judge, uid, limits)
        outcome = run_process(
            plan.argv,
            cwd=plan.cwd,
            env=plan.env,
            stdin=stdin,
            limits=limits,
            user=plan.user,
            preexec_fn=plan.preexec_fn,
            kill_tree=lambda _proc: procutil.kill_all_but(set()),
            oom_probe=_oom_kill_count,
            clock=clock,
        )
    # A job that hit a limit may have left the sandbox in a state no sweep knows about.
    reasons = [outcome.status] if outcome.status in ("timeout", "memory_limit") else []
    if outcome.oom_killed:
        reasons.append("OOM kill in the container")
    reasons += _sweep(exiting)
    return {
        "status": outcome.status,
        "exit_code": outcome.exit_code,
        "stdout": outcome.stdout.decode("utf-8", "replace"),
        "stderr": outcome.stderr.decode("utf-8", "replace"),
        "duration_ms": outcome.duration_ms,
        "cpu_ms": outcome.cpu_ms,
        "truncated": outcome.truncated,
        "recycle": bool(reasons),
        "recycle_reasons": reasons,
    }


# An empty dir of the image where the private copy of its trees is mounted.
IMAGE_COPY_DIR = "/mnt"


def own_image_files(roots: list[str]) -> dict:
    """This sandbox's own copy of the image's trees (page_cache.own_copy), or where the
    runner may not mount, each of their files read once (page_cache.warm); what was done."""
    problem = None
    try:
        done = page_cache.own_copy(roots, IMAGE_COPY_DIR, _mount)
    except OSError as exc:
        problem = f"no private copy of the image's files ({exc}): read once instead"
        done = page_cache.warm(roots)
    return {**dataclasses.asdict(done), "problem": problem}


def _job_namespaces() -> tuple[JobNamespaces | None, str | None]:
    """Each job's own namespaces here, or None and why not."""
    try:
        namespaces = JobNamespaces()
    except OSError as exc:
        return None, f"no fresh namespaces per job: {exc}"
    problem = namespaces.probe()
    return (namespaces if problem is None else None), problem


def serve(in_fd: int = 0, out_fd: int = 1) -> None:
    """Answer jobs until the host closes our stdin (then the sandbox stops)."""
    # Our stdout is the protocol channel; stray prints must not corrupt it.
    sys.stdout = sys.stderr
    os.umask(0o022)
    with contextlib.suppress(OSError):
        os.setgroups([])  # acting as a job's uid must not bring root's groups along
    global NAMESPACES_PROBLEM
    namespaces, NAMESPACES_PROBLEM = _job_namespaces()
    while True:
        request = read_frame(in_fd)
        if request is None:
            return
        if request.get("op") == "ping":
            reply = {"op": "pong", "pid": os.getpid(), "uid": os.getuid()}
            reply["namespaces_problem"] = NAMESPACES_PROBLEM
            if request.get("image_files"):  # before the first job (sandbox/page_cache.py)
                reply["image_files"] = own_image_files(list(request["image_files"]))
                if namespaces is not None:
                    # Made before the copy: its mounts are the shared image's. A new one
                    # after this reply.
                    namespaces.give_up()
        else:
            try:
                reply = run_job(request, namespaces)
            except Exception:
                reply = {
                    "status": "sandbox_error",
                    "exit_code": None,
                    "stdout": "",
                    "stderr": "runner failure:\n" + traceback.format_exc(),
                    "duration_ms": 0.0,
                    "truncated": False,
                    "recycle": True,
                    "recycle_reasons": ["runner failure"],
                }
        write_all(out_fd, encode_frame(reply))
        if namespaces is not None:
            # The next job's namespaces, made while the host reads this reply; a failure
            # shows at that job (take makes them again, or says why not).
            with contextlib.suppress(OSError):
                namespaces.prepare()


if __name__ == "__main__":
    serve()
