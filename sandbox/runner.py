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
import importlib.util
import math
import os
import py_compile
import re
import resource
import secrets
import select
import signal
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
    """Run argv within a CPU budget (wall-clock backstop), output capped while it streams.

    kill_tree must kill the process and everything it started (its group, its uid, ...).
    The budget is limits.timeout_s of CPU (RLIMIT_CPU, and the CPU time the kernel reports
    when the process is reaped), so a loaded machine does not turn a pass into a timeout;
    clock (default: the main process alone) also sums the CPU time of all the job's processes,
    so work spread over many processes meets the same budget.
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
    stdout_fd, stderr_fd = proc.stdout.fileno(), proc.stderr.fileno()
    stdin_fd = os.dup(proc.stdin.fileno())  # the pump owns (and closes) this one
    proc.stdin.close()
    exit_fd = _open_exit_fd(proc.pid)
    clock = clock or procutil.JobClock(lambda: (proc.pid,))

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
            dict.fromkeys((stdout_fd, stderr_fd), limits.output_limit_bytes),
            outbox={stdin_fd: stdin},
            total_cap=limits.output_limit_bytes,
            deadline=deadline,
            done_fd=exit_fd,
        )
        timed_out = pumped.timed_out
        if timed_out or pumped.capped:
            kill_tree(proc)
        reaped = _reap(proc, exit_fd, deadline)
        if reaped is None:
            timed_out = True
            kill_tree(proc)
            reaped = _reap(proc, None, None)
        returncode, cpu_s = reaped
    finally:
        if exit_fd is not None:
            os.close(exit_fd)
        for stream in (proc.stdout, proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()
        if proc.returncode is None:
            kill_tree(proc)
            proc.wait()
    duration_ms = (time.monotonic() - start) * 1000
    stdout, stderr = pumped.outputs[stdout_fd], pumped.outputs[stderr_fd]
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
        # stand-in and init are killed with it): the clock saw each of them.
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


def enter_fresh_namespaces(places: list[str], judge_cgroup_view: str | None = None) -> None:
    """Between fork and exec, as root (the runner is single-threaded): returns in the job's
    process, pid 2 of a new pid namespace with its own mounts and IPC objects, a /proc of that
    namespace and a fresh tmpfs on each of `places`, the host's counters masked there
    (mask_proc) and the sandbox's cgroup hidden but at judge_cgroup_view (hide_cgroup).

    Three processes: this one stays outside and stands in for the job (stand_in_for: the
    runner waits for it, reads its CPU time and its end); pid 1 inside only reaps (act_as_init)
    and tells it how the job ended; the job is pid 2, an ordinary process (pid 1 would ignore
    every signal it has no handler for: SIGXCPU, SIGPIPE, a kill of its own). When pid 1 exits,
    the kernel kills every process left in the namespace."""
    shapes = [(place, *fresh_tmpfs_options(place)) for place in places]
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID), "unshare")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing of ours reaches the sandbox's
    status_r, status_w = os.pipe()
    init = os.fork()
    if init != 0:
        stand_in_for(init, status_r)
    os.close(status_r)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mask_proc()
    hide_cgroup(judge_cgroup_view)
    for place, flags, options in shapes:
        _mount("tmpfs", place, "tmpfs", flags, options)
    job = os.fork()
    if job != 0:
        act_as_init(job, status_w)
    os.close(status_w)
    drop_runner_only_capabilities()
    # A session and process group of its own, numbered in its namespace (the ones it was born
    # in have no number there: getpgid() would say 0, and killpg(0) hits the caller's group).
    os.setsid()


# Above any fd the runner holds (it opens a handful): what the two helpers close.
HELPER_FD_LIMIT = 1 << 16


def keep_only(fd: int) -> None:
    """Close every fd but `fd`: a helper's copies of the job's pipes (and of the exec-error
    pipe) must not keep them open after the job's own ends close."""
    os.closerange(0, fd)
    os.closerange(fd + 1, HELPER_FD_LIMIT)


def act_as_init(job: int, status_w: int) -> None:
    """Pid 1 of the job's namespace: reaps every process that ends there until the job has,
    then writes the job's wait status and exits (which ends the namespace). Never returns."""
    keep_only(status_w)
    status = 0
    try:
        with contextlib.suppress(ChildProcessError):
            while (ended := os.waitpid(-1, 0))[0] != job:  # EINTR is retried (PEP 475)
                pass
            status = ended[1]
        os.write(status_w, b"%d" % status)
    finally:
        os._exit(0)


def stand_in_for(init: int, status_r: int) -> None:
    """The job's process as the runner sees it: ends as the job did (a death by signal with
    the same signal). Never returns."""
    keep_only(status_r)
    code = 1
    try:
        os.waitpid(init, 0)
        told = os.read(status_r, 32)
        status = int(told) if told.isdigit() else 0x7F00  # "exited 127": pid 1 was killed
        if os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU's default dumps core
            signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
            os.kill(os.getpid(), signum)
        code = os.waitstatus_to_exitcode(status) & 0xFF
    finally:
        os._exit(code)


def namespaces_problem() -> str | None:
    """None when this runner can give jobs fresh namespaces, else why not (told once, at the
    ping: the host logs it). Tried in a throwaway child."""
    pid = os.fork()
    if pid == 0:
        try:
            enter_fresh_namespaces(writable_places())
            os._exit(0)
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return None
    return "no fresh namespaces per job (the runner needs CAP_SYS_ADMIN and mount rights)"


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


def _plan_plain_job(request: Mapping, uid: int, limits: JobLimits) -> _JobPlan:
    work_dir = os.path.join(WORK_ROOT, f"job-{uid}")
    os.mkdir(work_dir)
    write_job_files(work_dir, request["code"], request.get("files") or {})
    os.chmod(work_dir, 0o700)  # before the chown: without CAP_FOWNER only the owner may chmod
    chown_tree(work_dir, uid)

    def enter_job() -> None:
        # After the switch to the job's uid: the runner itself cannot enter the 0700 work dir.
        os.chdir(work_dir)
        apply_rlimits(limits)
        # The calls a judge's cases are refused, refused here too (docs/sandbox.md): a plain
        # job is the same untrusted code, and the sandbox's other jobs share its kernel.
        syscall_filter.install()

    return _JobPlan(python_argv(), "/", job_env(work_dir), uid, enter_job)


def _plan_judge_job(request: Mapping, uid: int, limits: JobLimits) -> _JobPlan:
    base = os.path.join(JUDGE_ROOT, str(uid))
    files_dir = os.path.join(base, "files")
    scratch = os.path.join(base, "scratch")
    case_root = os.path.join(WORK_ROOT, f"cases-{uid}")
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
    gate = os.path.join(base, "cgroup")
    cgroup_view = os.path.join(gate, "view")
    os.mkdir(gate, 0o770)  # the group's write: the runner's sweep removes the view after
    os.mkdir(cgroup_view)
    os.chown(gate, uid, 0)
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


def _sweep() -> list[str]:
    """Kill everything but this runner and wipe every writable place; what is left over."""
    reasons = []
    if not procutil.kill_all_but(set()):
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


def run_job(request: Mapping) -> dict:
    limits = JobLimits(**request["limits"])
    uid = pick_job_uid()
    plan = (_plan_judge_job if request.get("judge") else _plan_plain_job)(request, uid, limits)
    fresh = NAMESPACES_PROBLEM is None
    places = writable_places(plan.own_dirs) if fresh else []

    def enter_job() -> None:
        if fresh:  # the namespaces need root: the job's uid comes after them
            enter_fresh_namespaces(places, plan.cgroup_view)
            if plan.user is not None:
                become(plan.user)
        plan.preexec_fn()

    outcome = run_process(
        plan.argv,
        cwd=plan.cwd,
        env=plan.env,
        stdin=request.get("stdin", "").encode("utf-8"),
        limits=limits,
        user=None if fresh else plan.user,
        preexec_fn=enter_job,
        kill_tree=lambda _proc: procutil.kill_all_but(set()),
        oom_probe=_oom_kill_count,
        # Everything in this sandbox but the runner is the job's: the judge's cases included.
        clock=procutil.JobClock(_job_processes),
    )
    # A job that hit a limit may have left the sandbox in a state no sweep knows about.
    reasons = [outcome.status] if outcome.status in ("timeout", "memory_limit") else []
    if outcome.oom_killed:
        reasons.append("OOM kill in the container")
    reasons += _sweep()
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


def serve(in_fd: int = 0, out_fd: int = 1) -> None:
    """Answer jobs until the host closes our stdin (then the sandbox stops)."""
    # Our stdout is the protocol channel; stray prints must not corrupt it.
    sys.stdout = sys.stderr
    os.umask(0o022)
    with contextlib.suppress(OSError):
        os.setgroups([])  # acting as a job's uid must not bring root's groups along
    global NAMESPACES_PROBLEM
    NAMESPACES_PROBLEM = namespaces_problem()
    while True:
        request = read_frame(in_fd)
        if request is None:
            return
        if request.get("op") == "ping":
            reply = {"op": "pong", "pid": os.getpid(), "uid": os.getuid()}
            reply["namespaces_problem"] = NAMESPACES_PROBLEM
            if request.get("image_files"):  # before the first job (sandbox/page_cache.py)
                reply["image_files"] = own_image_files(list(request["image_files"]))
        else:
            try:
                reply = run_job(request)
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


if __name__ == "__main__":
    serve()
