"""Process plumbing shared by the sandbox runner and the code judge: stdlib only.

One copy of each rule, imported as `sandbox.procutil` by the runner (on the host, and as
/opt/rewardd/sandbox/procutil.py in the image) and shipped with the judge's files:

- `pump`: feed a process's stdin and read its pipes with byte caps and a deadline;
- `/proc` scans: who runs under which uid, their CPU time;
- `acting_as` / `kill_uid` / `wipe_below` / `remove_ipc`: cleaning up after a uid without
  CAP_KILL or CAP_DAC_OVERRIDE, in a way the uid being cleaned cannot stop;
- `job_env`: the whole environment of untrusted code;
- length-prefixed JSON frames.

Everything imported here is imported at module load: nothing is imported lazily after
untrusted code has run.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
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
# Shared writable places where a job can leave files behind (each mode 1777).
SHARED_SCRATCH_DIRS = ("/tmp", "/dev/shm", "/dev/mqueue")
IPC_RMID = 0
SYSV_IPC_KINDS = ("shm", "sem", "msg")
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
    }


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
) -> PumpResult:
    """Write outbox[fd] to each fd, read each fd of read_caps until EOF, a cap or the deadline.

    read_caps maps a readable fd to the most bytes kept from it; total_cap bounds them all
    together. deadline is a monotonic time, or a function giving the current one (asked
    every DEADLINE_RECHECK_S). done_fd (a pidfd) readable means the process exited: its pipes get
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
                wait = min(wait, DEADLINE_RECHECK_S)
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
                fields = dict(line.split(b":", 1) for line in f.read().splitlines() if b":" in line)
            table[int(entry)] = ProcessInfo(
                uid=int(fields[b"Uid"].split()[0]),
                ppid=int(fields[b"PPid"]),
                state=fields[b"State"].split()[0].decode(),
            )
        except (OSError, KeyError, ValueError, IndexError):
            continue  # gone while we looked
    return table


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


def wipe_below(top: str) -> list[str]:
    """Delete everything below top, whoever owns it; the paths that could not be deleted.

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
                listed = [
                    (e.path, e.is_dir(follow_symlinks=False), e.stat(follow_symlinks=False).st_uid)
                    for e in os.scandir(directory)
                ]
        except OSError:
            failed.append(directory)
            continue
        for path, is_dir, entry_owner in listed:
            entries.append((path, is_dir, owner))
            if is_dir:
                pending.append((path, entry_owner))
    for path, is_dir, parent_owner in reversed(entries):
        try:
            with acting_as(parent_owner):
                (os.rmdir if is_dir else os.unlink)(path)
        except FileNotFoundError:
            pass
        except OSError:
            failed.append(path)
    return failed


def wipe_owned(uid: int, dirs: tuple[str, ...] = SHARED_SCRATCH_DIRS) -> list[str]:
    """Delete uid's entries (and what is below them) in shared sticky dirs; what failed."""
    failed = []
    for directory in dirs:
        try:
            listed = list(os.scandir(directory))
        except OSError:
            continue
        for entry in listed:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    failed += wipe_below(entry.path)
                    with acting_as(uid):
                        os.rmdir(entry.path)
                else:
                    with acting_as(uid):
                        os.unlink(entry.path)
            except FileNotFoundError:
                pass
            except OSError:
                failed.append(entry.path)
    return failed


def sysv_ipc_objects() -> list[tuple[str, int, int]]:
    """(kind, id, owner uid) of every SysV shared memory segment, semaphore set, queue."""
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
        id_column, uid_column = 1, header.index(b"uid")
        for line in lines[1:]:
            columns = line.split()
            if len(columns) > uid_column:
                found.append((kind, int(columns[id_column]), int(columns[uid_column])))
    return found


def remove_ipc(uid: int | None = None) -> None:
    """Remove the SysV IPC objects of uid (all of them when None), each as its owner."""
    for kind, ipc_id, owner in sysv_ipc_objects():
        if uid is not None and owner != uid:
            continue
        with acting_as(owner):
            if kind == "shm":
                _libc.shmctl(ipc_id, IPC_RMID, None)
            elif kind == "sem":
                _libc.semctl(ipc_id, 0, IPC_RMID)
            else:
                _libc.msgctl(ipc_id, IPC_RMID, None)


def ipc_leftovers() -> list[str]:
    """State that outlives a process: SysV IPC objects and POSIX message queues."""
    found = [f"sysv {kind} {ipc_id}" for kind, ipc_id, _ in sysv_ipc_objects()]
    with contextlib.suppress(OSError):
        found += [f"mqueue {name}" for name in os.listdir("/dev/mqueue")]
    return found
