"""Sandboxes for hosts without Docker: bubblewrap, or (opt-in only) a plain subprocess.

bwrap: every job gets new user, pid, network, ipc, uts and cgroup namespaces, a read-only view
of /usr, a size-capped tmpfs work dir filled from memfds (nothing touches the host's disk), and
rlimits. Run as root, each job also gets a throwaway host uid, so RLIMIT_NPROC bites and one
kill(-1) as that uid ends everything the job started.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

from sandbox import ExecutionRequest, ExecutionResult, Sandbox
from sandbox.limits import SandboxSettings, validate_request
from sandbox.results import infra_error, result_from_outcome
from sandbox.runner import (
    MAIN_FILE,
    JobLimits,
    Outcome,
    apply_rlimits,
    job_env,
    kill_and_wipe_as,
    pick_job_uid,
    python_argv,
    run_process,
    wait_until_gone,
    write_job_files,
)

log = logging.getLogger(__name__)

SANDBOX_WORK_DIR = "/work"
SANDBOX_UID = 1000
SCRATCH_TMPFS_BYTES = 16 * 1024 * 1024
# Read-only from the host: enough for a system Python and nothing private (no /home, /root, /etc
# beyond the loader cache).
READ_ONLY_BINDS = ("/usr",)
READ_ONLY_TRY_BINDS = ("/etc/ld.so.cache", "/etc/localtime")
MERGED_USR_LINKS = ("bin", "sbin", "lib", "lib64")


def open_local_sandbox(settings: SandboxSettings) -> Sandbox:
    """bwrap when it works here; else the unsafe subprocess if explicitly allowed."""
    bwrap = BwrapSandbox(settings)
    reason = bwrap.problem()
    if reason is None:
        return bwrap
    if settings.allow_unsafe:
        log.warning(
            "sandbox: bubblewrap unusable (%s). REWARDD_SANDBOX_ALLOW_UNSAFE=1 is set, so "
            "UNTRUSTED CODE WILL RUN AS A PLAIN SUBPROCESS OF THIS HOST, WITH NO ISOLATION.",
            reason,
        )
        return UnsafeSubprocessSandbox(settings)
    return UnavailableSandbox(
        f"{reason}; install bubblewrap, use Docker (REWARDD_SANDBOX=docker), or set "
        "REWARDD_SANDBOX_ALLOW_UNSAFE=1 to run code with no isolation"
    )


def system_python() -> str:
    """An interpreter under /usr, so it is visible inside the bwrap sandbox."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    return sys.executable


class BwrapSandbox:
    name = "bwrap"

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self._settings = settings or SandboxSettings.from_env()
        self._slots = threading.BoundedSemaphore(self._settings.pool_size)
        self._python = system_python()
        self._as_root = os.geteuid() == 0
        self._problem: str | None = None
        self._checked = False
        self._check_lock = threading.Lock()

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        validate_request(request, self._settings)
        limits = self._settings.job_limits(request)
        with self._slots:
            try:
                outcome = self._run(request, limits)
            except OSError as exc:
                return infra_error(f"bwrap failed to start: {exc}")
        return result_from_outcome(outcome)

    def problem(self) -> str | None:
        with self._check_lock:
            if not self._checked:
                self._checked = True
                self._problem = self._probe()
        return self._problem

    def close(self) -> None:
        pass

    def _probe(self) -> str | None:
        if shutil.which("bwrap") is None:
            return "bubblewrap (bwrap) is not installed"
        if not self._python.startswith("/usr/"):
            return f"no Python under /usr to run inside bwrap (found {self._python})"
        probe = ExecutionRequest(code="print('ok')", timeout_s=10)
        try:
            outcome = self._run(probe, self._settings.job_limits(probe))
        except OSError as exc:
            return f"bwrap cannot start: {exc}"
        if outcome.status != "ok" or outcome.stdout != b"ok\n":
            detail = outcome.stderr.decode("utf-8", "replace").strip()[-300:]
            return f"bwrap does not work here ({outcome.status}): {detail}"
        return None

    def _run(self, request: ExecutionRequest, limits: JobLimits) -> Outcome:
        uid = pick_job_uid() if self._as_root else None
        files = {**request.files, MAIN_FILE: request.code}
        fds = [_memfd(name, content) for name, content in files.items()]
        try:
            argv = self._bwrap_argv(files, fds, limits) + python_argv(self._python)
            outcome = run_process(
                argv,
                cwd="/",
                env={},
                stdin=request.stdin.encode("utf-8"),
                limits=limits,
                user=uid,
                preexec_fn=lambda: apply_rlimits(limits),
                kill_tree=lambda proc: _kill_job(proc, uid),
                pass_fds=fds,
            )
        finally:
            for fd in fds:
                os.close(fd)
        if uid is not None:
            # --die-with-parent and the pid namespace end the job; this catches anything else.
            kill_and_wipe_as(uid, None)
            wait_until_gone(uid)
        return outcome

    def _bwrap_argv(self, files: dict[str, str], fds: list[int], limits: JobLimits) -> list[str]:
        argv = ["bwrap", "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID)]
        argv += ["--gid", str(SANDBOX_UID), "--hostname", "sandbox"]
        argv += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
        for path in READ_ONLY_BINDS:
            argv += ["--ro-bind", path, path]
        for path in READ_ONLY_TRY_BINDS:
            argv += ["--ro-bind-try", path, path]
        for name in MERGED_USR_LINKS:
            if os.path.islink(f"/{name}"):
                argv += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        argv += ["--proc", "/proc", "--dev", "/dev"]
        argv += ["--size", str(SCRATCH_TMPFS_BYTES), "--tmpfs", "/tmp"]
        argv += ["--size", str(self._settings.work_mb << 20), "--tmpfs", SANDBOX_WORK_DIR]
        made_dirs: set[str] = set()
        for name, fd in zip(files, fds, strict=True):
            parent = os.path.dirname(name)
            parts = parent.split("/") if parent else []
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth])
                if directory not in made_dirs:
                    made_dirs.add(directory)
                    argv += ["--dir", f"{SANDBOX_WORK_DIR}/{directory}"]
            argv += ["--file", str(fd), f"{SANDBOX_WORK_DIR}/{name}"]
        for key, value in job_env(SANDBOX_WORK_DIR).items():
            argv += ["--setenv", key, value]
        # The root tmpfs bwrap builds stays read-only: only /work and /tmp take writes.
        argv += ["--remount-ro", "/", "--chdir", SANDBOX_WORK_DIR, "--"]
        return argv


class UnsafeSubprocessSandbox:
    """A plain subprocess with rlimits and a deadline: NO isolation. Opt-in only."""

    name = "unsafe-subprocess"

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self._settings = settings or SandboxSettings.from_env()
        self._slots = threading.BoundedSemaphore(self._settings.pool_size)
        log.warning("sandbox: using the UNSAFE subprocess backend: untrusted code is NOT isolated")

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        validate_request(request, self._settings)
        limits = self._settings.job_limits(request)
        with self._slots, tempfile.TemporaryDirectory(prefix="rewardd-job-") as work_dir:
            write_job_files(work_dir, request.code, request.files)
            try:
                outcome = run_process(
                    python_argv(),
                    cwd=work_dir,
                    env=job_env(work_dir),
                    stdin=request.stdin.encode("utf-8"),
                    limits=limits,
                    preexec_fn=lambda: apply_rlimits(limits),
                    kill_tree=lambda proc: _kill_job(proc, None),
                )
            except OSError as exc:
                return infra_error(f"cannot start the subprocess: {exc}")
        return result_from_outcome(outcome)

    def problem(self) -> str | None:
        return None

    def close(self) -> None:
        pass


class UnavailableSandbox:
    """What open_sandbox returns when nothing usable exists: says why, runs nothing."""

    name = "unavailable"

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        validate_request(request, SandboxSettings.from_env())
        return infra_error(self._reason)

    def problem(self) -> str | None:
        return self._reason

    def close(self) -> None:
        pass


def _memfd(name: str, content: str) -> int:
    fd = os.memfd_create(f"rewardd-{os.path.basename(name)}")  # pass_fds hands it to bwrap
    data = content.encode("utf-8")
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _kill_job(proc: subprocess.Popen, uid: int | None) -> None:
    if uid is not None:
        kill_and_wipe_as(uid, None)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
