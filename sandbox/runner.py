"""Run untrusted jobs: one fresh process, work directory and uid per job.

Two uses, one implementation:

- Inside a sandbox container this file is the entry point (`python3 runner.py`). It reads
  length-prefixed JSON jobs on stdin (the container's attach stream) and answers on stdout.
- The host's local backends import `run_process`, `classify` and the rlimit helpers from it.

Stdlib only: it is copied into the sandbox image as is.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import resource
import secrets
import selectors
import signal
import struct
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass

FRAME_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 256 * 1024 * 1024
WORK_ROOT = "/sandbox"
MAIN_FILE = "main.py"
# Shared writable places a job could use to leave something behind; each job's uid cleans
# its own entries there (they are sticky, mode 1777) and a leftover means "recycle".
SHARED_SCRATCH_DIRS = ("/tmp", "/dev/shm")
# Throwaway uids for jobs. They own nothing on the host or in the image, and a random one per
# job means nothing a job leaves running can touch the next job's files.
JOB_UID_BASE = 1 << 20
JOB_UID_SPAN = 1 << 24
# Grace for a job's pipes to drain once its main process has exited.
DRAIN_GRACE_S = 0.05
READ_CHUNK = 65536
MEMORY_ERROR_RE = re.compile(rb"^MemoryError\b", re.MULTILINE)


@dataclass(frozen=True)
class JobLimits:
    timeout_s: float
    memory_mb: int
    output_limit_bytes: int
    nproc: int
    nofile: int
    fsize_bytes: int


@dataclass
class Outcome:
    status: str
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    duration_ms: float
    truncated: bool
    oom_killed: bool = False  # the container's OOM killer struck during the job


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


def python_argv(interpreter: str = sys.executable) -> list[str]:
    # -E -s: no PYTHON* variables, no user site. Not -I: that would drop the work directory
    # from sys.path, and harnesses import the files they ship next to main.py.
    return [interpreter, "-E", "-s", "-B", MAIN_FILE]


def apply_rlimits(limits: JobLimits) -> None:
    """Set the job's rlimits; runs in the child between fork and exec."""
    memory = limits.memory_mb * 1024 * 1024
    cpu = math.ceil(limits.timeout_s) + 1
    for name, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_NPROC, limits.nproc),
        (resource.RLIMIT_NOFILE, limits.nofile),
        (resource.RLIMIT_FSIZE, limits.fsize_bytes),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(name, (value, value))
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
        return None  # old kernel or gVisor: fall back to polling


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
) -> Outcome:
    """Run argv with a wall-clock deadline and output capped while it streams.

    kill_tree must kill the process and everything it started (its group, its uid, ...).
    """
    oom_before = oom_probe() if oom_probe else 0
    start = time.monotonic()
    deadline = start + limits.timeout_s
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
    chunks: dict[int, list[bytes]] = {stdout_fd: [], stderr_fd: []}
    total = 0
    timed_out = output_capped = False
    exit_fd = _open_exit_fd(proc.pid)
    drain_until: float | None = None

    sel = selectors.DefaultSelector()
    for stream in (proc.stdout, proc.stderr):
        os.set_blocking(stream.fileno(), False)
        sel.register(stream.fileno(), selectors.EVENT_READ)
    pending_stdin = memoryview(stdin)
    stdin_fd = proc.stdin.fileno()
    if pending_stdin:
        os.set_blocking(stdin_fd, False)
        sel.register(stdin_fd, selectors.EVENT_WRITE)
    else:
        proc.stdin.close()
    if exit_fd is not None:
        sel.register(exit_fd, selectors.EVENT_READ)

    try:
        while _has_open_pipes(sel, exit_fd):
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if drain_until is not None and now >= drain_until:
                break  # main process gone; whatever still holds the pipes is a leftover
            wait = deadline - now
            if drain_until is not None:
                wait = min(wait, drain_until - now)
            if exit_fd is None:
                wait = min(wait, 0.05)
            for key, _ in sel.select(wait):
                fd = key.fd
                if fd == exit_fd:
                    sel.unregister(exit_fd)
                    drain_until = time.monotonic() + DRAIN_GRACE_S
                elif fd == stdin_fd:
                    try:
                        written = os.write(fd, pending_stdin[:READ_CHUNK])
                        pending_stdin = pending_stdin[written:]
                    except BlockingIOError:
                        continue
                    except OSError:  # the job closed its stdin: it does not want the rest
                        pending_stdin = pending_stdin[:0]
                    if not pending_stdin:
                        sel.unregister(fd)
                        proc.stdin.close()
                else:
                    try:
                        data = os.read(fd, READ_CHUNK)
                    except BlockingIOError:
                        continue
                    if not data:
                        sel.unregister(fd)
                        continue
                    room = limits.output_limit_bytes - total
                    if len(data) > room:
                        data = data[:room]
                        output_capped = True
                    total += len(data)
                    chunks[fd].append(data)
            if output_capped:
                break
            if exit_fd is None and drain_until is None and proc.poll() is not None:
                drain_until = time.monotonic() + DRAIN_GRACE_S

        if timed_out or output_capped:
            kill_tree(proc)
        try:
            returncode = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_tree(proc)
            returncode = proc.wait()
    finally:
        sel.close()
        if exit_fd is not None:
            os.close(exit_fd)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()
        if proc.returncode is None:
            kill_tree(proc)
            proc.wait()
    duration_ms = (time.monotonic() - start) * 1000
    stdout = b"".join(chunks[stdout_fd])
    stderr = b"".join(chunks[stderr_fd])
    oom_killed = oom_probe is not None and oom_probe() > oom_before
    status = classify(
        returncode,
        timed_out=timed_out,
        output_capped=output_capped,
        stderr=stderr,
        oom_killed=oom_killed,
    )
    return Outcome(
        status=status,
        exit_code=None if timed_out else returncode,
        stdout=stdout,
        stderr=stderr,
        duration_ms=duration_ms,
        truncated=output_capped,
        oom_killed=oom_killed,
    )


def _has_open_pipes(sel: selectors.BaseSelector, exit_fd: int | None) -> bool:
    return any(fd != exit_fd for fd in sel.get_map())


# --- uid-based containment (container, and the bwrap backend when run as root) ---------------


def pick_job_uid() -> int:
    return JOB_UID_BASE + secrets.randbelow(JOB_UID_SPAN)


def processes_of(uid: int) -> list[int]:
    """Pids of live (non-zombie) processes whose real uid is uid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as f:
                status = f.read()
        except OSError:
            continue
        uid_line = re.search(rb"^Uid:\s+(\d+)", status, re.MULTILINE)
        state = re.search(rb"^State:\s+(\S)", status, re.MULTILINE)
        if uid_line and int(uid_line.group(1)) == uid and not (state and state.group(1) == b"Z"):
            found.append(int(entry))
    return found


def _wipe_tree(path: str) -> None:
    """Delete everything below path, whatever modes the job left on it."""
    os.chmod(path, 0o700)
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _wipe_tree(entry.path)
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)


def kill_and_wipe_as(uid: int, work_dir: str | None, scratch_dirs: tuple[str, ...] = ()) -> bool:
    """Kill every process of uid and delete what it wrote; True when that fully worked.

    Runs in a forked child that becomes uid: kill(-1) then reaches exactly that uid's
    processes (double-forked daemons included), so the runner needs no CAP_KILL and no
    CAP_DAC_OVERRIDE to clean up after a job.
    """
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
            if work_dir is not None:
                _wipe_tree(work_dir)
            for scratch in scratch_dirs:
                with contextlib.suppress(FileNotFoundError), os.scandir(scratch) as entries:
                    for entry in entries:
                        if entry.stat(follow_symlinks=False).st_uid != uid:
                            continue
                        if entry.is_dir(follow_symlinks=False):
                            _wipe_tree(entry.path)
                            os.rmdir(entry.path)
                        else:
                            os.unlink(entry.path)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status) == 0


def wait_until_gone(uid: int, timeout_s: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout_s
    while processes_of(uid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def write_job_files(work_dir: str, code: str, files: Mapping[str, str]) -> None:
    for rel_path, content in files.items():
        full = os.path.join(work_dir, rel_path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(content)
    with open(os.path.join(work_dir, MAIN_FILE), "w", encoding="utf-8") as f:
        f.write(code)


def chown_tree(path: str, uid: int) -> None:
    # Bottom-up: once a 0700 directory is the job's, the runner (no CAP_DAC_OVERRIDE) is locked out.
    for root, dirs, files in os.walk(path, topdown=False):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, uid)
    os.chown(path, uid, uid)


# --- the in-container server ----------------------------------------------------------------


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


def _ipc_leftovers() -> list[str]:
    """SysV IPC objects or POSIX message queues: state that outlives a process."""
    found = []
    for kind in ("shm", "sem", "msg"):
        try:
            with open(f"/proc/sysvipc/{kind}", "rb") as f:
                if len(f.read().splitlines()) > 1:
                    found.append(f"sysv {kind}")
        except OSError:
            continue
    with contextlib.suppress(OSError):
        if os.listdir("/dev/mqueue"):
            found.append("mqueue")
    return found


def _scratch_leftovers() -> list[str]:
    found = []
    for scratch in SHARED_SCRATCH_DIRS:
        with contextlib.suppress(OSError):
            found += [os.path.join(scratch, name) for name in os.listdir(scratch)]
    return found


def run_job(request: Mapping) -> dict:
    limits = JobLimits(**request["limits"])
    uid = pick_job_uid()
    work_dir = os.path.join(WORK_ROOT, f"job-{uid}")
    os.mkdir(work_dir, 0o700)
    write_job_files(work_dir, request["code"], request.get("files") or {})
    chown_tree(work_dir, uid)

    def enter_job() -> None:
        # After the switch to the job's uid: the runner itself cannot enter the 0700 work dir.
        os.chdir(work_dir)
        apply_rlimits(limits)

    outcome = run_process(
        python_argv(),
        cwd=None,
        env=job_env(work_dir),
        stdin=request.get("stdin", "").encode("utf-8"),
        limits=limits,
        user=uid,
        preexec_fn=enter_job,
        kill_tree=lambda _proc: kill_and_wipe_as(uid, None),
        oom_probe=_oom_kill_count,
    )

    reasons = []
    if outcome.status in ("timeout", "memory_limit"):
        reasons.append(outcome.status)
    if outcome.oom_killed:
        reasons.append("OOM kill in the container")
    if processes_of(uid):
        reasons.append("processes outlived the job")
    if not kill_and_wipe_as(uid, work_dir, SHARED_SCRATCH_DIRS):
        reasons.append("cleanup failed")
    try:
        os.rmdir(work_dir)
    except OSError:
        reasons.append("work dir not removed")
    if not wait_until_gone(uid):
        reasons.append("processes survived SIGKILL")
    reasons += _ipc_leftovers()
    if scratch := _scratch_leftovers():
        reasons.append(f"leftover files: {scratch[:3]}")
    return {
        "status": outcome.status,
        "exit_code": outcome.exit_code,
        "stdout": outcome.stdout.decode("utf-8", "replace"),
        "stderr": outcome.stderr.decode("utf-8", "replace"),
        "duration_ms": outcome.duration_ms,
        "truncated": outcome.truncated,
        "recycle": bool(reasons),
        "recycle_reasons": reasons,
    }


def read_frame(fd: int) -> dict | None:
    header = _read_exactly(fd, FRAME_HEADER.size)
    if header is None:
        return None
    (length,) = FRAME_HEADER.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise ValueError(f"frame of {length} bytes is over the limit")
    body = _read_exactly(fd, length)
    if body is None:
        return None
    return json.loads(body)


def _read_exactly(fd: int, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        data = os.read(fd, n - len(buf))
        if not data:
            return None
        buf += data
    return bytes(buf)


def encode_frame(message: Mapping) -> bytes:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    return FRAME_HEADER.pack(len(body)) + body


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def serve(in_fd: int = 0, out_fd: int = 1) -> None:
    """Answer jobs until the host closes our stdin (then the container stops)."""
    # Our stdout is the protocol channel; stray prints must not corrupt it.
    sys.stdout = sys.stderr
    os.umask(0o077)
    while True:
        request = read_frame(in_fd)
        if request is None:
            return
        if request.get("op") == "ping":
            reply = {"op": "pong", "pid": os.getpid(), "uid": os.getuid()}
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
        _write_all(out_fd, encode_frame(reply))


if __name__ == "__main__":
    serve()
