"""Every sandbox limit in one place: defaults, environment overrides, request validation."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass

from sandbox import IMAGES, ExecutionRequest
from sandbox.procutil import wall_ceiling_s
from sandbox.runner import JUDGE_ENTRY, MAIN_FILE, JobLimits

SUPPORTED_LANGUAGES = ("python",)
MIN_MEMORY_MB = 32
MAX_CODE_BYTES = 1024 * 1024
MAX_STDIN_BYTES = 16 * 1024 * 1024
MAX_FILES = 64
MAX_FILES_BYTES = 16 * 1024 * 1024
MAX_PATH_CHARS = 255


@dataclass(frozen=True)
class SandboxSettings:
    """Operator-level limits; each can be set with the REWARDD_SANDBOX_* variable named."""

    image: str = "rewardd-sandbox:latest"  # REWARDD_SANDBOX_IMAGE
    sci_image: str = "rewardd-sandbox-sci:latest"  # REWARDD_SANDBOX_SCI_IMAGE: image "sci"
    pool_size: int = 4  # REWARDD_SANDBOX_POOL: warm containers, at most the host's cores
    jobs_per_container: int = 256  # REWARDD_SANDBOX_JOBS_PER_CONTAINER: then recycled
    max_timeout_s: float = 60.0  # REWARDD_SANDBOX_MAX_TIMEOUT_S: per request
    max_memory_mb: int = 1024  # REWARDD_SANDBOX_MAX_MEMORY_MB: per request
    output_limit_bytes: int = 1024 * 1024  # REWARDD_SANDBOX_OUTPUT_LIMIT: stdout+stderr
    cpus: float = 1.0  # REWARDD_SANDBOX_CPUS: CPU quota per container
    pids_limit: int = 128  # REWARDD_SANDBOX_PIDS: per container
    nproc: int = 64  # REWARDD_SANDBOX_NPROC: processes+threads per job
    nofile: int = 256  # REWARDD_SANDBOX_NOFILE: open files per job
    fsize_mb: int = 32  # REWARDD_SANDBOX_FSIZE_MB: largest file a job may write
    work_mb: int = 64  # REWARDD_SANDBOX_WORK_MB: tmpfs of the work dirs
    work_inodes: int = 4096  # REWARDD_SANDBOX_WORK_INODES: files in the work tmpfs
    runtime: str | None = None  # REWARDD_SANDBOX_RUNTIME: e.g. runsc for gVisor
    start_timeout_s: float = 30.0  # REWARDD_SANDBOX_START_TIMEOUT_S: wait for a container
    allow_unsafe: bool = False  # REWARDD_SANDBOX_ALLOW_UNSAFE=1: plain subprocess fallback

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SandboxSettings:
        env = os.environ if environ is None else environ
        defaults = cls()

        def get(name: str, default, cast):
            raw = env.get(f"REWARDD_SANDBOX_{name}")
            if raw is None or raw.strip() == "":
                return default
            try:
                return cast(raw.strip())
            except ValueError as exc:
                raise ValueError(f"REWARDD_SANDBOX_{name}={raw!r} is not valid: {exc}") from exc

        return cls(
            image=get("IMAGE", defaults.image, str),
            sci_image=get("SCI_IMAGE", defaults.sci_image, str),
            # Never more jobs at once than cores: a CPU budget measured on an oversubscribed
            # sandbox would still hold, but the wall-clock backstop might not.
            pool_size=max(1, min(get("POOL", defaults.pool_size, int), os.cpu_count() or 1)),
            jobs_per_container=max(1, get("JOBS_PER_CONTAINER", defaults.jobs_per_container, int)),
            max_timeout_s=get("MAX_TIMEOUT_S", defaults.max_timeout_s, float),
            max_memory_mb=get("MAX_MEMORY_MB", defaults.max_memory_mb, int),
            output_limit_bytes=get("OUTPUT_LIMIT", defaults.output_limit_bytes, int),
            cpus=get("CPUS", defaults.cpus, float),
            pids_limit=get("PIDS", defaults.pids_limit, int),
            nproc=get("NPROC", defaults.nproc, int),
            nofile=get("NOFILE", defaults.nofile, int),
            fsize_mb=get("FSIZE_MB", defaults.fsize_mb, int),
            work_mb=get("WORK_MB", defaults.work_mb, int),
            work_inodes=get("WORK_INODES", defaults.work_inodes, int),
            runtime=get("RUNTIME", defaults.runtime, str),
            start_timeout_s=get("START_TIMEOUT_S", defaults.start_timeout_s, float),
            allow_unsafe=get("ALLOW_UNSAFE", "0", str) in ("1", "true", "yes"),
        )

    def docker_image(self, name: str) -> str:
        """The Docker image behind a request's image name ("default" or "sci")."""
        return self.sci_image if name == "sci" else self.image

    def job_limits(self, request: ExecutionRequest) -> JobLimits:
        return JobLimits(
            timeout_s=float(request.timeout_s),
            memory_mb=int(request.memory_mb),
            output_limit_bytes=self.output_limit_bytes,
            nproc=self.nproc,
            nofile=self.nofile,
            fsize_bytes=self.fsize_mb * 1024 * 1024,
            wall_limit_s=None if request.wall_limit_s is None else float(request.wall_limit_s),
        )


def reply_timeout_s(request: ExecutionRequest) -> float:
    """How long a host waits for the in-sandbox runner's answer before it gives the runner up.

    Twice the job's wall ceiling plus 10 s for the runner's cleanup: the runner shares the
    machine's load too, and giving up on a working runner loses its sandbox.
    """
    ceiling = wall_ceiling_s(request.timeout_s)
    if request.wall_limit_s is not None:
        ceiling = min(ceiling, request.wall_limit_s)
    return 2 * ceiling + 10.0


def job_message(request: ExecutionRequest, settings: SandboxSettings) -> dict:
    """The frame the in-sandbox runner reads for one job (sandbox/runner.py: run_job)."""
    return {
        "op": "run",
        "code": request.code,
        "stdin": request.stdin,
        "files": dict(request.files),
        "limits": settings.job_limits(request).__dict__,
        "judge": bool(request.judge),
    }


def validate_request(request: ExecutionRequest, settings: SandboxSettings) -> None:
    """Raise ValueError naming the field and the problem; the sandbox never sees a bad request."""
    if request.language not in SUPPORTED_LANGUAGES:
        raise ValueError(
            f"language: unsupported language {request.language!r}; "
            f"supported: {', '.join(SUPPORTED_LANGUAGES)}"
        )
    if request.image not in IMAGES:
        raise ValueError(f"image: unknown image {request.image!r}; known: {', '.join(IMAGES)}")
    if not isinstance(request.code, str):
        raise ValueError("code: must be a string")
    _check_size("code", request.code, MAX_CODE_BYTES)
    if not isinstance(request.stdin, str):
        raise ValueError("stdin: must be a string")
    _check_size("stdin", request.stdin, MAX_STDIN_BYTES)
    if not 0 < request.timeout_s <= settings.max_timeout_s:
        raise ValueError(
            f"timeout_s: {request.timeout_s} is outside (0, {settings.max_timeout_s}] seconds"
        )
    if request.wall_limit_s is not None and not request.wall_limit_s > 0:
        raise ValueError(
            f"wall_limit_s: {request.wall_limit_s} is not a positive number of seconds"
        )
    if not MIN_MEMORY_MB <= request.memory_mb <= settings.max_memory_mb:
        raise ValueError(
            f"memory_mb: {request.memory_mb} is outside "
            f"[{MIN_MEMORY_MB}, {settings.max_memory_mb}] MiB"
        )
    _check_files(request.files)
    if request.judge and JUDGE_ENTRY not in request.files:
        raise ValueError(f"files: a judge job needs its entry point {JUDGE_ENTRY!r}")


def _check_size(field_name: str, text: str, limit: int) -> None:
    size = _utf8_size(field_name, text)
    if size > limit:
        raise ValueError(f"{field_name}: {size} bytes is over the limit of {limit} bytes")


def _check_files(files) -> None:
    if len(files) > MAX_FILES:
        raise ValueError(f"files: {len(files)} files is over the limit of {MAX_FILES}")
    total = 0
    for path, content in files.items():
        if not isinstance(path, str) or not isinstance(content, str):
            raise ValueError("files: paths and contents must be strings")
        normalized = posixpath.normpath(path)
        if (
            not path
            or len(path) > MAX_PATH_CHARS
            or path.startswith("/")
            or "\\" in path
            or "\0" in path
            or normalized != path.rstrip("/")
            or normalized == "."
            or normalized.split("/")[0] == ".."
        ):
            raise ValueError(
                f"files: {path!r} must be a plain relative path inside the work dir "
                "(no '..', no leading '/')"
            )
        if normalized == MAIN_FILE:
            raise ValueError(f"files: {MAIN_FILE!r} is reserved for the code")
        total += _utf8_size(f"files[{path!r}]", content)
    directories = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
    if clash := sorted(directories & set(files)):
        raise ValueError(f"files: {clash[0]!r} is both a file and a directory")
    if total > MAX_FILES_BYTES:
        raise ValueError(f"files: {total} bytes in all is over the limit of {MAX_FILES_BYTES}")


def _utf8_size(field_name: str, text: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{field_name}: not valid Unicode text (a lone surrogate at position {exc.start})"
        ) from None
