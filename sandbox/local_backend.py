"""Sandboxes for hosts without Docker: bubblewrap, or (opt-in only) a plain subprocess.

bwrap run as root (CI, servers): a warm pool of bubblewrap sandboxes, each running
sandbox/runner.py exactly as a Docker container does: uid 0 with only CAP_SETUID, CAP_SETGID
and CAP_CHOWN, new pid, network, ipc, uts and cgroup namespaces, a read-only view of /usr,
size-capped tmpfs for /sandbox, /judge, /tmp and /dev/shm. Jobs run as throwaway host uids;
judge jobs get their separate principals (sandbox/runner.py).

bwrap without root: each job gets its own bubblewrap with a user namespace mapping its one
uid, and the job is bwrap's child. Only one uid exists there, so a judge's cases share the
judge's uid (the judge says so: no REWARDD_JUDGE_UID in its environment).

Images: a bubblewrap sandbox has no image of its own, it sees the host's /usr read-only. So
image "default" is whatever the host's system Python holds, and image "sci" is available
exactly when that Python imports every module of sandbox.SCI_MODULES (Debian: apt-get install
python3-numpy python3-scipy python3-pandas ...); otherwise a "sci" job is a sandbox_error
that names the image and what is missing. The same holds for the unsafe subprocess.
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
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from sandbox import SCI_MODULES, ExecutionRequest, ExecutionResult, Sandbox, procutil
from sandbox import runner as runner_module
from sandbox.host_cgroup import RunnerCgroup
from sandbox.limits import SandboxSettings, job_message, reply_timeout_s, validate_request
from sandbox.results import infra_error, result_from_outcome, result_from_reply
from sandbox.runner import (
    JUDGE_ENTRY,
    MAIN_FILE,
    JobLimits,
    Outcome,
    apply_rlimits,
    job_env,
    python_argv,
    run_process,
    write_job_files,
)

log = logging.getLogger(__name__)

SANDBOX_WORK_DIR = "/work"
JUDGE_FILES_DIR = "/judge"  # without root: a judge job's files, read-only
SANDBOX_UID = 1000
SCRATCH_TMPFS_BYTES = 16 * 1024 * 1024
JUDGE_TMPFS_BYTES = 16 * 1024 * 1024
# Where the runner and its helper appear inside a root bwrap sandbox (as in the image).
RUNNER_DIR = "/opt/rewardd/sandbox"
# Read-only from the host: enough for a system Python and nothing private (no /home, /root, /etc
# beyond the loader cache).
READ_ONLY_BINDS = ("/usr",)
READ_ONLY_TRY_BINDS = ("/etc/ld.so.cache", "/etc/localtime")
MERGED_USR_LINKS = ("bin", "sbin", "lib", "lib64")
# CAP_SYS_ADMIN: fresh pid, mount and IPC namespaces for each job (runner.py); CAP_SETPCAP:
# it takes both out of each job's bounding set.
RUNNER_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_SETPCAP")


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


class RunnerGone(ConnectionError):
    """A bwrap sandbox's runner stopped answering: the sandbox is unusable."""


class _BwrapRunner:
    """One warm bubblewrap sandbox running sandbox/runner.py: jobs as frames on its pipes."""

    def __init__(
        self, argv: list[str], start_timeout_s: float, cgroup: RunnerCgroup | None = None
    ) -> None:
        """cgroup: the runner's own (argv binds it), entered before bwrap runs; removed with it."""
        self.jobs = 0
        self._cgroup = cgroup
        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={},
                close_fds=True,
                start_new_session=True,
                preexec_fn=self._cgroup.enter if self._cgroup is not None else None,
            )
        except BaseException:
            if self._cgroup is not None:
                self._cgroup.remove()
            raise
        try:
            pong = self.call({"op": "ping"}, start_timeout_s)
            if not isinstance(pong, dict) or pong.get("op") != "pong":
                raise RunnerGone(f"unexpected answer from the runner: {pong!r}")
            runner_module.warn_if_weaker(pong, "bwrap", log.warning)
        except BaseException:
            self.close()
            raise

    def call(self, message: dict, timeout_s: float) -> dict:
        try:
            procutil.write_all(self._proc.stdin.fileno(), procutil.encode_frame(message))
            reply = procutil.read_frame(self._proc.stdout.fileno(), time.monotonic() + timeout_s)
        except TimeoutError as exc:
            raise RunnerGone("the sandbox runner did not answer in time") from exc
        except (OSError, ValueError) as exc:
            raise RunnerGone(f"lost the sandbox runner: {exc}") from exc
        if reply is None:
            raise RunnerGone("the sandbox runner exited")
        return reply

    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        for stream in (self._proc.stdin, self._proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self._proc.wait()
        if self._cgroup is not None:
            self._cgroup.remove()


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
        self._idle: list[_BwrapRunner] = []
        self._idle_lock = threading.Lock()
        self._launcher: ThreadPoolExecutor | None = None
        # A forked child must never talk to its parent's runners.
        os.register_at_fork(after_in_child=self._forget_runners)

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        validate_request(request, self._settings)
        if (missing := image_problem(request.image, self._python, self.name)) is not None:
            return infra_error(missing)
        with self._slots:
            if self._as_root:
                return self._run_in_runner(request)
            limits = self._settings.job_limits(request)
            try:
                outcome = self._run_alone(request, limits)
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
        with self._idle_lock:
            idle, self._idle = self._idle, []
            launcher, self._launcher = self._launcher, None
        for runner in idle:
            runner.close()
        if launcher is not None:
            launcher.shutdown(wait=True)  # the thread ends: runners still out die with it

    def _forget_runners(self) -> None:
        self._idle = []
        self._idle_lock = threading.Lock()
        self._launcher = None

    def _probe(self) -> str | None:
        if shutil.which("bwrap") is None:
            return "bubblewrap (bwrap) is not installed"
        if not self._python.startswith("/usr/"):
            return f"no Python under /usr to run inside bwrap (found {self._python})"
        probe = ExecutionRequest(code="print('ok')", timeout_s=10)
        if self._as_root:
            result = self._run_in_runner(probe)
            status, stdout, detail = result.status, result.stdout, result.stderr
        else:
            try:
                outcome = self._run_alone(probe, self._settings.job_limits(probe))
            except OSError as exc:
                return f"bwrap cannot start: {exc}"
            status, stdout = outcome.status, outcome.stdout.decode("utf-8", "replace")
            detail = outcome.stderr.decode("utf-8", "replace")
        if status != "ok" or stdout != "ok\n":
            return f"bwrap does not work here ({status}): {detail.strip()[-300:]}"
        return None

    # --- as root: warm runners --------------------------------------------------------------

    def _run_in_runner(self, request: ExecutionRequest) -> ExecutionResult:
        try:
            runner = self._checkout()
        except (OSError, RunnerGone) as exc:
            return infra_error(f"bwrap failed to start: {exc}")
        try:
            reply = runner.call(
                job_message(request, self._settings),
                reply_timeout_s(request),
            )
        except RunnerGone as exc:
            runner.close()
            return infra_error(str(exc))
        runner.jobs += 1
        if reply.get("recycle") or runner.jobs >= self._settings.jobs_per_container:
            runner.close()
        else:
            with self._idle_lock:
                self._idle.append(runner)
        return result_from_reply(reply)

    def _checkout(self) -> _BwrapRunner:
        while True:
            with self._idle_lock:
                runner = self._idle.pop() if self._idle else None
            if runner is None:
                break
            if runner.alive():
                return runner
            runner.close()
        # Started from one long-lived thread: --die-with-parent ties each runner's life to
        # the thread that started it, and a job's thread ends while its runner stays warm.
        with self._idle_lock:
            if self._launcher is None:
                self._launcher = ThreadPoolExecutor(1, thread_name_prefix="bwrap-launcher")
            launcher = self._launcher
        # Its own cgroup, as a Docker container has: the judge's counters read it (host_cgroup).
        cgroup = RunnerCgroup.create()
        argv = self._runner_argv(cgroup)
        start = launcher.submit(_BwrapRunner, argv, self._settings.start_timeout_s, cgroup)
        return start.result()

    def _runner_argv(self, cgroup: RunnerCgroup | None = None) -> list[str]:
        argv = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        # --die-with-parent: everything in the sandbox is SIGKILLed when bwrap's parent goes,
        # and that parent is the launcher thread (its PR_SET_PDEATHSIG follows the thread).
        argv += ["--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent"]
        argv += ["--new-session", "--clearenv", "--cap-drop", "ALL"]
        for cap in RUNNER_CAPS:
            argv += ["--cap-add", cap]
        argv += _system_binds()
        if cgroup is not None:
            argv += cgroup.bwrap_binds()
        for path in runner_module.baked_files():
            argv += ["--ro-bind", path, f"{RUNNER_DIR}/{os.path.basename(path)}"]
        argv += ["--proc", "/proc", "--dev", "/dev", "--mqueue", "/dev/mqueue"]
        for path, size, perms in (
            ("/tmp", SCRATCH_TMPFS_BYTES, "1777"),
            ("/dev/shm", SCRATCH_TMPFS_BYTES, "1777"),
            (runner_module.WORK_ROOT, self._settings.work_mb << 20, "0755"),
            (runner_module.JUDGE_ROOT, JUDGE_TMPFS_BYTES, "0755"),
        ):
            argv += ["--perms", perms, "--size", str(size), "--tmpfs", path]
        argv += ["--remount-ro", "/", "--chdir", runner_module.WORK_ROOT, "--"]
        return [*argv, self._python, "-I", "-B", f"{RUNNER_DIR}/runner.py"]

    # --- without root: one bwrap per job -----------------------------------------------------

    def _run_alone(self, request: ExecutionRequest, limits: JobLimits) -> Outcome:
        files = dict(request.files) if request.judge else {**request.files, MAIN_FILE: request.code}
        fds = [_memfd(name, content) for name, content in files.items()]
        # A judge's files get a tmpfs of their own, made read-only once filled: with one uid
        # for the judge and its cases, that is what keeps a case from planting a module there.
        files_dir = JUDGE_FILES_DIR if request.judge else SANDBOX_WORK_DIR
        entry = f"{JUDGE_FILES_DIR}/{JUDGE_ENTRY}" if request.judge else None
        try:
            argv = self._bwrap_argv(files, fds, files_dir)
            argv += python_argv(self._python, judge_entry=entry)
            return run_process(
                argv,
                cwd="/",
                env={},
                stdin=request.stdin.encode("utf-8"),
                limits=limits,
                preexec_fn=lambda: apply_rlimits(limits),
                kill_tree=_kill_group,
                pass_fds=fds,
            )
        finally:
            for fd in fds:
                os.close(fd)

    def _bwrap_argv(self, files: dict[str, str], fds: list[int], files_dir: str) -> list[str]:
        argv = ["bwrap", "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID)]
        argv += ["--gid", str(SANDBOX_UID), "--hostname", "sandbox"]
        argv += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
        argv += _system_binds()
        argv += ["--proc", "/proc", "--dev", "/dev"]
        argv += ["--size", str(SCRATCH_TMPFS_BYTES), "--tmpfs", "/tmp"]
        argv += ["--size", str(self._settings.work_mb << 20), "--tmpfs", SANDBOX_WORK_DIR]
        if files_dir != SANDBOX_WORK_DIR:
            argv += ["--size", str(JUDGE_TMPFS_BYTES), "--tmpfs", files_dir]
        made_dirs: set[str] = set()
        for name, fd in zip(files, fds, strict=True):
            parent = os.path.dirname(name)
            parts = parent.split("/") if parent else []
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth])
                if directory not in made_dirs:
                    made_dirs.add(directory)
                    argv += ["--dir", f"{files_dir}/{directory}"]
            argv += ["--file", str(fd), f"{files_dir}/{name}"]
        for key, value in job_env(SANDBOX_WORK_DIR).items():
            argv += ["--setenv", key, value]
        if files_dir != SANDBOX_WORK_DIR:
            argv += ["--remount-ro", files_dir]
        # The root tmpfs bwrap builds stays read-only: only /work and /tmp take writes.
        argv += ["--remount-ro", "/", "--chdir", SANDBOX_WORK_DIR, "--"]
        return argv


def image_problem(image: str, python: str, backend: str) -> str | None:
    """None when `python` (what the sandbox runs) imports the image's modules, else why not."""
    if image == "default":
        return None
    failure = import_failure(python, SCI_MODULES)
    if failure is None:
        return None
    return (
        f"image {image!r} is not available on the {backend} backend: {python} cannot import "
        f"its modules ({failure[:80]}); install them for it, or use Docker"
    )


@cache
def import_failure(python: str, modules: tuple[str, ...]) -> str | None:
    """None when `python` imports every module, else its error. Asked once per process (an
    install needs a restart to be seen), off the job's clock."""
    try:
        done = subprocess.run(
            [python, "-I", "-c", f"import {', '.join(modules)}"],
            capture_output=True,
            text=True,
            timeout=60,
            env={"OPENBLAS_NUM_THREADS": "1"},
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{type(exc).__name__}: {exc}"
    if done.returncode == 0:
        return None
    lines = done.stderr.strip().splitlines()
    return lines[-1][:200] if lines else f"exit status {done.returncode}"


def _system_binds() -> list[str]:
    argv = []
    for path in READ_ONLY_BINDS:
        argv += ["--ro-bind", path, path]
    for path in READ_ONLY_TRY_BINDS:
        argv += ["--ro-bind-try", path, path]
    for name in MERGED_USR_LINKS:
        if os.path.islink(f"/{name}"):
            argv += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
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
        if (missing := image_problem(request.image, sys.executable, self.name)) is not None:
            return infra_error(missing)
        limits = self._settings.job_limits(request)
        with self._slots, tempfile.TemporaryDirectory(prefix="rewardd-job-") as work_dir:
            write_job_files(work_dir, request.code, request.files)
            try:
                entry = os.path.join(work_dir, JUDGE_ENTRY) if request.judge else None
                outcome = run_process(
                    python_argv(judge_entry=entry),
                    cwd=work_dir,
                    env=job_env(work_dir),
                    stdin=request.stdin.encode("utf-8"),
                    limits=limits,
                    preexec_fn=lambda: apply_rlimits(limits),
                    kill_tree=_kill_group,
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


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
