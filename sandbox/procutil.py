"""Process plumbing shared by the sandbox runner and the code judge: stdlib only.

One copy of each rule, imported as `sandbox.procutil` by the runner (on the host, and as
/opt/rewardd/sandbox/procutil.py in the image) and shipped with the judge's files:

- `pump`: feed a process's stdin and read its pipes with byte caps and a deadline;
- `/proc` scans: who runs under which uid, their CPU time;
- `acting_as` / `kill_uid` / `wipe_below` / `remove_ipc`: cleaning up after a uid without
  CAP_KILL or CAP_DAC_OVERRIDE, in a way the uid being cleaned cannot stop;
- `job_env`: the whole environment of untrusted code;
- `serve_pid_counter` / `reset_pid_counter`: the same pids for every case of a judge job;
- length-prefixed JSON frames.

Everything imported here is imported at module load: nothing is imported lazily after
untrusted code has run.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import select
import selectors
import signal
import struct
import time
from collections.abc import Callable, Iterable, Iterator, Mapping

FRAME_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 256 * 1024 * 1024
READ_CHUNK = 65536
DEADLINE_RECHECK_S = 0.25
# A uid nothing ever runs as. The cleaner's real uid while it acts as a job's uid: kill()
# checks the sender's real/effective uid against the target's real/saved uid, so with
# (real K, effective C, saved 0) kill(-1) reaches exactly uid C's processes, and no process
# of C can signal, ptrace or prlimit the cleaner (nothing of C matches K or 0).
KILLER_UID = (1 << 20) - 1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
# Shared writable places where a job can leave files behind (each mode 1777).
SHARED_SCRATCH_DIRS = ("/tmp", "/dev/shm", "/dev/mqueue")
# Where the sandbox's cgroup is seen: /sys/fs/cgroup, but for a judge the place the runner
# bound it at, out of its cases' reach (runner.hide_cgroup).
CGROUP_ROOT = os.environ.get("REWARDD_CGROUP_ROOT", "/sys/fs/cgroup")
IPC_RMID = 0
SYSV_IPC_KINDS = ("shm", "sem", "msg")
# A pid namespace hands out pids in order, so a case that spends pids leaves a number the
# next case reads off the id of a thread it starts (red team v2, HOLE 7). Before each case
# the zygote has pid 1 of the job's namespace (the one process there that keeps
# CAP_SYS_ADMIN, which ns_last_pid asks for) set the counter back to PID_COUNTER_BASE: each
# case is handed the same pids, whatever ran before it.
PID_COUNTER_BASE = 1000
PID_COUNTER_FD_ENV = "REWARDD_PID_COUNTER_FD"
NS_LAST_PID = "/proc/sys/kernel/ns_last_pid"
PID_COUNTER_TIMEOUT_S = 2.0
_libc = ctypes.CDLL(None, use_errno=True)


def job_env(work_dir: str) -> dict[str, str]:
    """The whole environment of a job: nothing inherited from the runner or the host."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": work_dir,
        "TMPDIR": work_dir,
        "LANG": "C.UTF-8",
        # glibc reserves 64 MiB of address space per thread arena, which trips RLIMIT_AS early.
        "MALLOC_ARENA_MAX": "2",
        # numpy/scipy's BLAS threads each reserve tens of MiB of address space (a case's
        # RLIMIT_AS) and spin when they cannot; one thread also keeps a case's CPU its own.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }


def open_pid_counter() -> int:
    """Pid 1 of a fresh namespace, before /proc/sys is made read-only: ns_last_pid, or -1."""
    try:
        return os.open(NS_LAST_PID, os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        return -1


def serve_pid_counter(sock_fd: int, counter_fd: int, job_pid: int) -> None:
    """Pid 1: set the counter back each time the job asks on sock_fd, until the job ends or
    closes its end (a plain job does, at its exec). A request can do nothing but that."""
    try:
        job_ended = os.pidfd_open(job_pid)
    except OSError:
        os.close(sock_fd)  # the job sees EOF and fails fast, not once per case
        return
    try:
        while True:
            readable = select.select([sock_fd, job_ended], [], [])[0]
            if job_ended in readable or not os.read(sock_fd, 16):
                return
            try:
                os.pwrite(counter_fd, b"%d" % PID_COUNTER_BASE, 0)
                os.write(sock_fd, b"k")
            except OSError:
                os.write(sock_fd, b"e")
    except OSError:
        return
    finally:
        os.close(job_ended)
        os.close(sock_fd)


def reset_pid_counter(sock_fd: int) -> bool:
    """The zygote, before a case: have pid 1 set the counter back; whether it did."""
    if sock_fd < 0:
        return False
    try:
        # A reply to a request that timed out must not answer this one.
        while select.select([sock_fd], [], [], 0)[0]:
            if not os.read(sock_fd, 16):
                return False
        os.write(sock_fd, b"r")
        if not select.select([sock_fd], [], [], PID_COUNTER_TIMEOUT_S)[0]:
            return False
        return os.read(sock_fd, 16) == b"k"
    except OSError:
        return False


def wall_backstop_s(cpu_budget_s: float) -> float:
    """The wall-clock limit behind a CPU budget, before any extension for waiting on a busy CPU
    (see JobClock): generous, so load does not decide a verdict."""
    return 3 * cpu_budget_s + 5


def wall_ceiling_s(cpu_budget_s: float) -> float:
    """The most wall-clock time a job may take, starvation extensions included."""
    return 3 * wall_backstop_s(cpu_budget_s)


def runqueue_wait_s(pid: int) -> float:
    """Seconds pid (its main thread) spent runnable but waiting for a CPU; 0 if unknown."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


class JobClock:
    """CPU time and run-queue wait of a job's processes, summed; sampled, cheap to ask often.

    cpu_s(): what the job's processes used (each counted with the most it was seen to have
    used, processes gone since included), so a job that spreads its work over many processes
    meets its CPU budget as one that does not. waited_s(): time they were runnable but got no
    CPU; a wall-clock backstop extended by it ends a job that sleeps or stops (it waits for no
    CPU) but not one a loaded machine keeps waiting.
    """

    def __init__(self, pids: Callable[[], Iterable[int]]) -> None:
        self._pids = pids
        self._cpu: dict[int, float] = {}
        self._waited: dict[int, float] = {}
        self._sampled_at = -DEADLINE_RECHECK_S

    def _sample(self) -> None:
        now = time.monotonic()
        if now - self._sampled_at < DEADLINE_RECHECK_S:  # a scan per check, not per read
            return
        self._sampled_at = now
        for pid in self._pids():
            self._cpu[pid] = max(self._cpu.get(pid, 0.0), cpu_seconds(pid))
            self._waited[pid] = max(self._waited.get(pid, 0.0), runqueue_wait_s(pid))

    def cpu_s(self) -> float:
        self._sample()
        return sum(self._cpu.values())

    def waited_s(self) -> float:
        self._sample()
        return sum(self._waited.values())


class Starvation(JobClock):
    """A JobClock called for its run-queue wait alone: starvation() -> seconds."""

    def __call__(self) -> float:
        return self.waited_s()


# --- frames -------------------------------------------------------------------------------


def encode_frame(message: object) -> bytes:
    # ASCII escapes: text a solution made (an exception's message) may hold lone surrogates,
    # which no UTF-8 encoder takes; the escapes always encode and read back the same.
    body = json.dumps(message).encode("ascii")
    return FRAME_HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_frame(fd: int, deadline: float | None = None) -> object | None:
    """The next frame on fd; None at EOF. TimeoutError past deadline (a monotonic time)."""
    header = _read_exactly(fd, FRAME_HEADER.size, deadline)
    if header is None:
        return None
    (length,) = FRAME_HEADER.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise ValueError(f"frame of {length} bytes is over the limit")
    body = _read_exactly(fd, length, deadline)
    if body is None:
        return None
    return json.loads(body)


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes | None:
    buf = bytearray()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while len(buf) < n:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise TimeoutError("no complete frame before the deadline")
            data = os.read(fd, min(n - len(buf), 1 << 20))
            if not data:
                return None
            buf += data
    return bytes(buf)


# --- the pump -----------------------------------------------------------------------------


# Plain classes, not dataclasses or NamedTuples: `dataclasses` pulls in inspect, ast and dis,
# and `typing` is as heavy, ~11-13 ms more at the start of every judge and zygote interpreter.
class PumpResult:
    __slots__ = ("capped", "done", "outputs", "timed_out")

    def __init__(self, outputs: dict[int, bytes], capped: bool, timed_out: bool, done: bool):
        self.outputs = outputs  # what was read from each fd, within its cap
        self.capped = capped  # a cap was hit: the rest was not read
        self.timed_out = timed_out  # the deadline came first
        self.done = done  # done_fd became readable (the process exited)


def pump(
    read_caps: Mapping[int, int],
    *,
    outbox: Mapping[int, bytes] | None = None,
    total_cap: int | None = None,
    deadline: float | Callable[[], float],
    done_fd: int | None = None,
    drain_grace_s: float = 0.05,
    recheck_s: float = DEADLINE_RECHECK_S,
) -> PumpResult:
    """Write outbox[fd] to each fd, read each fd of read_caps until EOF, a cap or the deadline.

    read_caps maps a readable fd to the most bytes kept from it; total_cap bounds them all
    together. deadline is a monotonic time, or a function giving the current one (asked
    every recheck_s). done_fd (a pidfd) readable means the process exited: its pipes get
    drain_grace_s more, since whatever still holds them open is a leftover. Writable fds are
    closed once written (the reader sees EOF); the caller closes the others.
    """
    chunks: dict[int, list[bytes]] = {fd: [] for fd in read_caps}
    sizes = dict.fromkeys(read_caps, 0)
    total = 0
    capped = timed_out = done = False
    drain_until: float | None = None
    pending = {fd: memoryview(data) for fd, data in (outbox or {}).items()}
    with selectors.DefaultSelector() as sel:
        for fd in read_caps:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        for fd, data in list(pending.items()):
            if data:
                os.set_blocking(fd, False)
                sel.register(fd, selectors.EVENT_WRITE)
            else:
                del pending[fd]
                os.close(fd)
        if done_fd is not None:
            sel.register(done_fd, selectors.EVENT_READ)
        while any(fd in read_caps for fd in sel.get_map()):
            now = time.monotonic()
            until = deadline() if callable(deadline) else deadline
            if now >= until:
                timed_out = True
                break
            if drain_until is not None and now >= drain_until:
                break
            wait = until - now
            if callable(deadline):
                wait = min(wait, recheck_s)
            if drain_until is not None:
                wait = min(wait, drain_until - now)
            for key, _ in sel.select(wait):
                fd = key.fd
                if fd == done_fd:
                    sel.unregister(fd)
                    done = True
                    drain_until = time.monotonic() + drain_grace_s
                elif fd in pending:
                    try:
                        written = os.write(fd, pending[fd][:READ_CHUNK])
                        pending[fd] = pending[fd][written:]
                    except BlockingIOError:
                        continue
                    except OSError:  # the reader closed its end: it does not want the rest
                        pending[fd] = pending[fd][:0]
                    if not pending[fd]:
                        sel.unregister(fd)
                        del pending[fd]
                        os.close(fd)
                else:
                    try:
                        data = os.read(fd, READ_CHUNK)
                    except BlockingIOError:
                        continue
                    if not data:
                        sel.unregister(fd)
                        continue
                    room = read_caps[fd] - sizes[fd]
                    if total_cap is not None:
                        room = min(room, total_cap - total)
                    if len(data) > room:
                        data = data[: max(room, 0)]
                        capped = True
                    sizes[fd] += len(data)
                    total += len(data)
                    chunks[fd].append(data)
            if capped:
                break
    for fd in pending:
        with contextlib.suppress(OSError):
            os.close(fd)
    outputs = {fd: b"".join(parts) for fd, parts in chunks.items()}
    return PumpResult(outputs=outputs, capped=capped, timed_out=timed_out, done=done)


# --- /proc --------------------------------------------------------------------------------


class ProcessInfo:
    __slots__ = ("ppid", "state", "uid")

    def __init__(self, uid: int, ppid: int, state: str):
        self.uid = uid  # real uid
        self.ppid = ppid
        self.state = state  # "R", "S", "Z", ...


def process_table() -> dict[int, ProcessInfo]:
    """Every process this pid namespace shows, zombies included."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as f:
                data = f.read()
            table[int(entry)] = ProcessInfo(
                uid=int(_status_field(data, b"\nUid:")),
                ppid=int(_status_field(data, b"\nPPid:")),
                state=_status_field(data, b"\nState:").decode(),
            )
        except (OSError, ValueError, IndexError):
            continue  # gone while we looked
    return table


def _status_field(data: bytes, name: bytes) -> bytes:
    """The first word of a /proc/<pid>/status field. Only at a line's start: the kernel
    escapes a newline in a process's name, so no name can forge one."""
    start = data.index(name) + len(name)
    return data[start : data.index(b"\n", start)].split()[0]


def processes_of(uid: int) -> list[int]:
    """Pids of live (non-zombie) processes whose real uid is uid."""
    return [pid for pid, p in process_table().items() if p.uid == uid and p.state != "Z"]


def children_of(pid: int) -> list[int]:
    return [child for child, p in process_table().items() if p.ppid == pid]


def cpu_seconds(pid: int, *, with_children: bool = False) -> float:
    """User+system CPU time of pid (also of a zombie); with its waited-for children if asked."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After the ")": state is field 3 of stat(5), so utime (14) is index 11 here.
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


class ProcStat:
    """One look at a process in /proc/<pid>/stat (a zombie too)."""

    __slots__ = ("kids", "own", "ppid", "rss", "start", "state", "threads")

    def __init__(self, fields: list[bytes]):
        # Fields after the ")": state is field 3 of stat(5), so index = field - 3.
        self.state = fields[0].decode()
        self.ppid = int(fields[1])
        self.own = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
        self.kids = (int(fields[13]) + int(fields[14])) / CLOCK_TICKS  # of waited children
        self.threads = int(fields[17])
        self.start = int(fields[19])  # start time: tells a reused pid from the old one
        self.rss = int(fields[21]) * PAGE_BYTES


def proc_stat(pid: int, *, exact: bool = False) -> ProcStat | None:
    """pid's stat. exact: its own CPU time also from schedstat (nanoseconds; stat's ticks
    round each process down by up to 10 ms, and a case may have dozens of processes)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = ProcStat(f.read().rsplit(b")", 1)[1].split())
    except (OSError, IndexError, ValueError):
        return None
    if exact:
        tasks = [str(pid)] if stat.threads <= 1 else _tasks(pid)
        ran = 0.0
        for task in tasks:
            path = f"/proc/{pid}/task/{task}/schedstat"
            with contextlib.suppress(OSError, IndexError, ValueError), open(path, "rb") as f:
                ran += int(f.read().split()[0]) / 1e9
        # Threads that exited are only in the ticks: the larger figure is the better one.
        stat.own = max(stat.own, ran)
    return stat


def _tasks(pid: int) -> list[str]:
    try:
        return os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []


def last_pid() -> int:
    """The last pid handed out in this pid namespace (/proc/loadavg); 0 if unknown."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[4])
    except (OSError, IndexError, ValueError):
        return 0


class ContainerMemory:
    """The memory the sandbox's own cgroup charges (Docker, root bubblewrap's runner cgroup):
    every page of it, mapped or not (memfd and tmpfs files, SysV segments, socket buffers,
    pipes), less the page cache of files. Like ContainerCpu, only where the sandbox has a
    cgroup of its own.

    File cache is left out because anyone may drop it: a case that evicts pages an earlier case
    or job read (posix_fadvise DONTNEED on any readable file) would otherwise lower the figure
    by as much memory as it then holds (red team v3, HOLE 4); and an honest case that reads
    big files would be charged their cache. Shared memory stays in (it is counted in the cache
    too, but nothing reclaims it)."""

    # (usage, memory.stat, the stat's file-cache key, its shared-memory key): cgroup v1, v2.
    LAYOUTS = (
        (
            f"{CGROUP_ROOT}/memory/memory.usage_in_bytes",
            f"{CGROUP_ROOT}/memory/memory.stat",
            b"total_cache",
            b"total_shmem",
        ),
        (f"{CGROUP_ROOT}/memory.current", f"{CGROUP_ROOT}/memory.stat", b"file", b"shmem"),
    )

    def __init__(self) -> None:
        self.layout: tuple[str, str, bytes, bytes] | None = None
        for layout in self.LAYOUTS:
            self.layout = layout
            if self.read() is not None:
                return
        self.layout = None

    def read(self) -> int | None:
        if self.layout is None:
            return None
        usage_path, stat_path, cache_key, shmem_key = self.layout
        try:
            with open(usage_path, "rb") as f:
                usage = int(f.read())
            with open(stat_path, "rb") as f:
                stat = dict(line.split()[:2] for line in f.read().splitlines() if line.strip())
            return usage - int(stat[cache_key]) + int(stat[shmem_key])
        except (OSError, ValueError, KeyError):
            return None


class ContainerCpu:
    """The CPU time of every process of this container, from its own cgroup's counter.

    Only where the sandbox has a cgroup of its own (Docker): bubblewrap shows no /sys, and
    the unsafe backend must not be given one (it would count the host's work).
    """

    PATHS = (
        (f"{CGROUP_ROOT}/cpuacct/cpuacct.usage", 1e-9),  # cgroup v1, nanoseconds
        (f"{CGROUP_ROOT}/cpu.stat", 1e-6),  # cgroup v2, usage_usec
    )

    def __init__(self) -> None:
        self.path, self.scale = None, 0.0
        for path, scale in self.PATHS:
            self.path, self.scale = path, scale
            if self.read() is not None:
                return
        self.path = None

    def read(self) -> float | None:
        if self.path is None:
            return None
        try:
            with open(self.path, "rb") as f:
                text = f.read()
            if self.path.endswith("cpu.stat"):
                text = text.split(b"usage_usec", 1)[1].split()[0]
            return int(text) * self.scale
        except (OSError, IndexError, ValueError):
            return None


class ProcessMeter:
    """CPU time and memory of a changing set of processes (a case's), all of it.

    select(process_table) names the processes that belong to the set now. Each look sums what
    the live and zombie ones used (their own time and their waited children's), and keeps
    what one that vanished since the last look had used unless its nearest ancestor still
    seen took it over (it waited for it: its children's time grew by as much). So work moved
    into a child that exits unwaited, is reaped with SIGCHLD ignored, or is orphaned still
    counts; only a process born and gone between two looks is unseen. With a ContainerCpu
    counter (the sandbox's whole CPU), the set's CPU is that counter less what every process
    outside the set used: exact, short-lived processes included.
    """

    def __init__(
        self,
        select: Callable[[dict[int, ProcessInfo]], Iterable[int]],
        counter: ContainerCpu | None = None,
        interval_s: float = 0.05,
        forks_of_others: Callable[[], int] | None = None,
    ) -> None:
        """forks_of_others: without a counter, in a pid namespace of the sandbox's own, how
        many processes others (the judge's zygote) started for the set so far. Every other
        pid the namespace handed out and no look saw (born and gone between two looks, a
        child reaped unseen) is then charged a whole interval of CPU: the most it can have
        used unseen. Threads seen count as seen; short-lived threads are charged too."""
        self._select = select
        self._interval_s = interval_s
        exact = counter is not None and counter.path is not None
        self._forks_of_others = None if exact else forks_of_others
        self._first_pid = last_pid() if self._forks_of_others is not None else None
        self._ever: dict[tuple[int, int], int] = {}  # each process seen: most threads seen
        self.unseen = 0  # pids handed out that no look saw (charged)
        self._unwaited = 0  # processes that vanished unwaited: their tails went unseen
        self._started = time.monotonic()
        self._cpus = len(os.sched_getaffinity(0))
        self._seen: dict[tuple[int, int], ProcStat] = {}
        self._lost = 0.0  # CPU of vanished processes no ancestor took over
        self._scanned = 0.0
        self.rss_bytes = 0  # resident memory of the live ones together, at the last look
        self._counter = counter if counter is not None and counter.path else None
        self._base_usage = self._counter.read() if self._counter else None
        self._others_base: dict[tuple[int, int], float] = {}
        self._others_last: dict[tuple[int, int], float] = {}
        self._sampled_at = -1e9
        self._cpu = 0.0
        self.sample(force=True)

    def count_pids_from(self, first_pid: int) -> None:
        """The namespace's pid counter was set back to first_pid since this meter started
        (reset_pid_counter, as the case's first process was forked): count from there."""
        if self._first_pid is not None:
            self._first_pid = first_pid

    def sample(self, *, force: bool = False) -> None:
        now_t = time.monotonic()
        if not force and now_t - self._sampled_at < self._interval_s:
            return
        self._sampled_at = now_t
        table = process_table()
        chosen = set(self._select(table))
        now: dict[tuple[int, int], ProcStat] = {}
        for pid in chosen:
            stat = proc_stat(pid, exact=True)
            if stat is not None:
                now[(pid, stat.start)] = stat
        for key, stat in self._seen.items():  # still there but no longer chosen: as last seen
            if key not in now and key[0] in table:
                now[key] = stat
        self._reconcile(now)
        self._seen = now
        for key, stat in now.items():
            self._ever[key] = max(self._ever.get(key, 0), stat.threads)
        self.rss_bytes = sum(s.rss for s in now.values() if s.state not in ("Z", "X"))
        self._scanned = self._lost + sum(s.own + s.kids for s in now.values())
        if self._forks_of_others is not None and self._first_pid is not None:
            handed_out = last_pid() - self._first_pid
            seen = sum(max(threads, 1) for threads in self._ever.values())
            self.unseen = max(0, handed_out - seen - self._forks_of_others(), self.unseen)
            # What no look saw: each unseen pid and each unwaited process's tail may have
            # used up to an interval; never more than the CPUs could give since the start
            # (an exited thread's time is in its process's already: short threads cost
            # nothing that way).
            blind = (self.unseen + self._unwaited) * self._interval_s
            room = (now_t - self._started) * self._cpus - self._scanned
            self._scanned += max(0.0, min(blind, room))
        self._cpu = self._scanned
        if self._counter is not None and self._base_usage is not None:
            usage = self._counter.read()
            if usage is not None:
                others = self._others(table, chosen)
                self._cpu = (usage - self._base_usage) - others

    def _reconcile(self, now: dict[tuple[int, int], ProcStat]) -> None:
        by_pid = {key[0]: key for key in self._seen}
        expected: dict[tuple[int, int], float] = {}
        vanished: dict[tuple[int, int], int] = {}
        for key, stat in self._seen.items():
            if key in now:
                continue
            ancestor, hops = by_pid.get(stat.ppid), 0
            while ancestor is not None and ancestor not in now and hops < 4096:
                ancestor, hops = by_pid.get(self._seen[ancestor].ppid), hops + 1
            used = stat.own + stat.kids
            if ancestor is None or ancestor not in now:
                self._lost += used
                self._unwaited += 1
            else:
                expected[ancestor] = expected.get(ancestor, 0.0) + used
                vanished[ancestor] = vanished.get(ancestor, 0) + 1
        for key, used in expected.items():
            took_over = now[key].kids - self._seen[key].kids
            # One tick of slack each way: both figures are rounded down to ticks.
            if took_over + 1.5 / CLOCK_TICKS < used:
                self._lost += used - max(took_over, 0.0)
                self._unwaited += vanished[key]

    def _others(self, table: dict[int, ProcessInfo], chosen: set[int]) -> float:
        """What the container's processes outside the set used since the meter started.

        One present at the first look counts from what it had used then, one that started
        since from 0. One that vanished (the zygote's short-lived middle process) is left
        out: its parent, which waited for it, holds its time."""
        first = not self._others_base
        present: dict[tuple[int, int], float] = {}
        for pid in table:
            if pid in chosen:
                continue
            stat = proc_stat(pid, exact=True)
            if stat is None:
                continue
            key = (pid, stat.start)
            present[key] = stat.own + stat.kids
            self._others_base.setdefault(key, present[key] if first else 0.0)
        self._others_last = present
        return sum(used - self._others_base[key] for key, used in present.items())

    def cpu_s(self) -> float:
        self.sample()
        return self._cpu

    def final_cpu_s(self) -> float:
        """A last look (after the set was killed, before it is reaped)."""
        self.sample(force=True)
        return self._cpu


def wait_until_gone(uid: int, timeout_s: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout_s
    while processes_of(uid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


# --- cleaning up after a uid (the caller is real root, with CAP_SETUID and CAP_SETGID) -------


@contextlib.contextmanager
def acting_as(uid: int) -> Iterator[None]:
    """Use uid's rights (files, signals) while no process of uid can touch this one.

    Real uid KILLER_UID, effective uid, saved uid 0: see KILLER_UID. Changes the whole
    process's credentials: single-threaded callers only. uid 0 is a no-op.
    """
    if uid == 0:
        yield
        return
    os.setresgid(KILLER_UID, uid, 0)
    try:
        os.setresuid(KILLER_UID, uid, 0)
        try:
            yield
        finally:
            os.setresuid(0, 0, 0)
    finally:
        os.setresgid(0, 0, 0)


def kill_uid(uid: int) -> None:
    """SIGKILL every process of uid in one kill(-1): a chain that keeps forking is caught too.

    kill(-1) walks the task list under a lock that fork() needs to add a child, so no
    process of uid escapes into a fork made while it runs.
    """
    with acting_as(uid), contextlib.suppress(ProcessLookupError):
        os.kill(-1, signal.SIGKILL)


def kill_all_but(keep: set[int]) -> bool:
    """Kill every process of this pid namespace but pid 1, this one and keep; True when none
    is left (zombies aside)."""
    mine = os.getpid()
    for _ in range(50):
        table = process_table()
        victims = {
            pid: p
            for pid, p in table.items()
            if pid not in keep and pid not in (1, mine) and p.state != "Z"
        }
        if not victims:
            return True
        for uid in {p.uid for p in victims.values() if p.uid != 0}:
            kill_uid(uid)
        for pid, p in victims.items():
            if p.uid == 0:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        time.sleep(0.002)
    return False


class TooMuchLeft(Exception):
    """A case left more for the judge to delete than it deletes for one case (EntryBudget)."""


# Entries (files, dirs, links) one case may leave for the judge to delete in its dirs and the
# shared scratch dirs. Deleting is the judge's own CPU (~10-20 us each), after the case,
# under no limit of the case's: 25,000 files in /dev/shm per case spent the whole job's
# budget (the item null). Past this many, or past the wipe's CPU allowance, the wipe stops
# and the case fails; what is left then ends the job (judge_all).
MAX_LEFT_ENTRIES = 1 << 16


class EntryBudget:
    """How much a wipe may do: entries it visits, and the CPU (process_time) it may use.
    None: no bound of that kind (the runner's own cleanup after a job has none)."""

    def __init__(self, entries: int | None = MAX_LEFT_ENTRIES, cpu_s: float | None = None):
        self.limit = self.left = entries
        self.cpu_s = cpu_s
        self._until = None if cpu_s is None else time.process_time() + cpu_s

    def take(self) -> None:
        """One more entry visited."""
        if self.left is not None:
            self.left -= 1
            if self.left < 0:
                raise TooMuchLeft(f"more than {self.limit} files or dirs")
        self.tick()

    def tick(self) -> None:
        if self._until is not None and time.process_time() > self._until:
            raise TooMuchLeft(f"more than deleting takes in {self.cpu_s:g} s of CPU")


def wipe_below(top: str, budget: EntryBudget | None = None) -> list[str]:
    """Delete everything below top, whoever owns it; the paths that could not be deleted.
    budget: raises TooMuchLeft (nothing deleted yet) once top holds more entries than it allows.

    Each directory is listed (and its entries stat'ed) as its owner and each entry unlinked as
    its parent's owner, so neither modes a job set (0 on its own dirs) nor sticky bits stop it,
    and root needs no CAP_DAC_OVERRIDE. Iterative: a job may nest dirs thousands deep.
    """
    entries: list[tuple[str, bool, int]] = []  # (path, is_dir, parent's owner), parents first
    failed: list[str] = []
    try:
        pending = [(top, os.lstat(top).st_uid)]
    except OSError:
        return [top]
    while pending:
        directory, owner = pending.pop()
        try:
            with acting_as(owner):
                if directory != top:
                    mode = os.lstat(directory).st_mode
                    if mode & 0o700 != 0o700:  # add the owner's rights, take nobody's away
                        os.chmod(directory, (mode & 0o7777) | 0o700)
                listed = []
                with os.scandir(directory) as scan:
                    for e in scan:
                        if budget is not None:
                            budget.take()
                        is_dir = e.is_dir(follow_symlinks=False)
                        listed.append((e.path, is_dir, e.stat(follow_symlinks=False).st_uid))
        except OSError:
            failed.append(directory)
            continue
        for path, is_dir, entry_owner in listed:
            entries.append((path, is_dir, owner))
            if is_dir:
                pending.append((path, entry_owner))
    for path, is_dir, parent_owner in reversed(entries):
        if budget is not None:
            budget.tick()
        try:
            with acting_as(parent_owner):
                (os.rmdir if is_dir else os.unlink)(path)
        except FileNotFoundError:
            pass
        except OSError:
            failed.append(path)
    return failed


def wipe_owned(
    uid: int, dirs: tuple[str, ...] = SHARED_SCRATCH_DIRS, budget: EntryBudget | None = None
) -> list[str]:
    """Delete uid's entries (and what is below them) in shared sticky dirs; what failed.
    budget: raises TooMuchLeft once uid's entries pass it (counted before any is deleted)."""
    failed = []
    for directory in dirs:
        owned: list[tuple[str, bool]] = []
        try:
            with os.scandir(directory) as scan:
                for entry in scan:
                    try:
                        if entry.stat(follow_symlinks=False).st_uid != uid:
                            continue
                        if budget is not None:
                            budget.take()
                        owned.append((entry.path, entry.is_dir(follow_symlinks=False)))
                    except FileNotFoundError:
                        pass
                    except OSError:
                        failed.append(entry.path)
        except OSError:
            continue
        for path, is_dir in owned:
            if is_dir:
                failed += wipe_below(path, budget)
        # One switch of credentials for all of uid's entries, not one per entry.
        with acting_as(uid):
            for path, is_dir in owned:
                if budget is not None:
                    budget.tick()
                try:
                    (os.rmdir if is_dir else os.unlink)(path)
                except FileNotFoundError:
                    pass
                except OSError:
                    failed.append(path)
    return failed


class IpcObject:
    __slots__ = ("creator", "id", "kind", "owner", "resident")

    def __init__(self, kind: str, ipc_id: int, owner: int, creator: int, resident: int):
        self.kind = kind  # "shm", "sem" or "msg"
        self.id = ipc_id
        self.owner = owner  # IPC_SET can give an object away to any uid...
        self.creator = creator  # ...but never change who created it
        self.resident = resident  # bytes held: a shm segment's (mapped or not), a queue's


def sysv_ipc_objects() -> list[IpcObject]:
    """Every SysV shared memory segment, semaphore set and message queue."""
    found = []
    for kind in SYSV_IPC_KINDS:
        try:
            with open(f"/proc/sysvipc/{kind}", "rb") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        if not lines:
            continue
        header = lines[0].split()
        columns_of = {name: header.index(name) for name in (b"uid", b"cuid") if name in header}
        # What the object holds in memory: a segment's resident pages, a queue's messages.
        held = b"rss" if kind == "shm" else b"cbytes" if kind == "msg" else None
        rss_column = header.index(held) if held in header else None
        for line in lines[1:]:
            columns = line.split()
            try:
                owner = int(columns[columns_of[b"uid"]])
                creator = int(columns[columns_of.get(b"cuid", columns_of[b"uid"])])
                resident = int(columns[rss_column]) if rss_column is not None else 0
                found.append(IpcObject(kind, int(columns[1]), owner, creator, resident))
            except (KeyError, IndexError, ValueError):
                continue
    return found


def remove_ipc(uid: int | None = None) -> None:
    """Remove the SysV IPC objects uid owns or created (all of them when None), each as its
    owner: one given away (IPC_SET) to another uid still goes with its creator's case."""
    for obj in sysv_ipc_objects():
        if uid is not None and uid not in (obj.owner, obj.creator):
            continue
        with acting_as(obj.owner):
            if obj.kind == "shm":
                _libc.shmctl(obj.id, IPC_RMID, None)
            elif obj.kind == "sem":
                _libc.semctl(obj.id, 0, IPC_RMID)
            else:
                _libc.msgctl(obj.id, IPC_RMID, None)


def ipc_resident_bytes(uid: int) -> int:
    """Memory held by the SysV shm segments and message queues uid created: no process need
    map them, so no process's resident set shows it."""
    return sum(o.resident for o in sysv_ipc_objects() if o.creator == uid)


def ipc_leftovers() -> list[str]:
    """State that outlives a process: SysV IPC objects and POSIX message queues."""
    found = [f"sysv {obj.kind} {obj.id}" for obj in sysv_ipc_objects()]
    with contextlib.suppress(OSError):
        found += [f"mqueue {name}" for name in os.listdir("/dev/mqueue")]
    return found
