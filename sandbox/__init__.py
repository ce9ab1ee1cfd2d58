"""Run untrusted, model-written code: fast and contained.

    from sandbox import ExecutionRequest, open_sandbox

    sandbox = open_sandbox()            # REWARDD_SANDBOX: docker | local | auto (default)
    result = sandbox.execute(ExecutionRequest(code="print(input())", stdin="hi"))
    result.status, result.stdout        # ("ok", "hi\\n")

Backends: "docker" (a warm pool of hardened containers, see docs/sandbox.md), "bwrap"
(bubblewrap, for hosts without Docker) and "unsafe-subprocess" (only with
REWARDD_SANDBOX_ALLOW_UNSAFE=1).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "IMAGES",
    "ExecutionRequest",
    "ExecutionResult",
    "Sandbox",
    "Status",
    "open_sandbox",
]

log = logging.getLogger(__name__)

# The images a request may name, and what each holds (docs/rewards-code.md, "Images").
IMAGES = {
    "default": "the Python standard library only",
    "sci": "numpy, scipy, pandas, sortedcontainers, more-itertools, networkx, sympy",
}
# What image "sci" must import (a bubblewrap sandbox has it when the host's Python does).
SCI_MODULES = (
    "numpy",
    "scipy",
    "pandas",
    "sortedcontainers",
    "more_itertools",
    "networkx",
    "sympy",
)

Status = Literal["ok", "error", "timeout", "memory_limit", "output_limit", "sandbox_error"]


@dataclass(frozen=True)
class ExecutionRequest:
    code: str
    language: str = "python"
    stdin: str = ""
    timeout_s: float = 5.0
    memory_mb: int = 256
    files: Mapping[str, str] = field(default_factory=dict)  # relative paths inside the work dir
    # The code-reward judge: `files` hold the judge package (sandbox/judge/__main__.py is
    # started, isolated, from a dir only root can write) and the runner gives it a uid block
    # for its cases. Never set from /v1/execute (docs/sandbox.md, "Judge jobs").
    judge: bool = False
    # A hard wall-clock limit, for a caller whose own deadline is nearer than the generous
    # backstop (a request that gave up must not hold a sandbox for 3 x its budget). It only
    # ever shortens a job; hitting it is a "timeout".
    wall_limit_s: float | None = None
    # Which sandbox image runs the job: "default" (the standard library only) or "sci"
    # (numpy, scipy, pandas, ...; see IMAGES). The backends map the name to their image.
    image: str = "default"


@dataclass(frozen=True)
class ExecutionResult:
    status: Status
    exit_code: int | None
    stdout: str
    stderr: str
    duration_ms: float
    truncated: bool
    cpu_ms: float | None = None  # CPU time of the job's main process, where measured


class Sandbox(Protocol):
    name: str  # "docker", "bwrap", "unsafe-subprocess"

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        """Run one request; blocking and thread-safe.

        Never raises for bad code. Raises ValueError for a request that breaks the limits
        (unknown language, too large, ...); infrastructure failures come back as
        status "sandbox_error".
        """
        ...

    def problem(self) -> str | None:
        """None when usable, else what is down (for /readyz)."""
        ...

    def close(self) -> None: ...


def open_sandbox(kind: str | None = None) -> Sandbox:
    """The sandbox to use: kind, else $REWARDD_SANDBOX, else "auto".

    auto: Docker when a daemon answers and the sandbox image exists, else local.
    local: bubblewrap; a plain subprocess only with REWARDD_SANDBOX_ALLOW_UNSAFE=1.
    """
    from sandbox import docker_backend, local_backend
    from sandbox.limits import SandboxSettings

    settings = SandboxSettings.from_env()
    kind = (kind or os.environ.get("REWARDD_SANDBOX") or "auto").strip().lower()
    if kind == "docker":
        return docker_backend.DockerSandbox(settings)
    if kind == "local":
        return local_backend.open_local_sandbox(settings)
    if kind == "auto":
        reason = docker_backend.docker_unavailable_reason(settings.image)
        if reason is None:
            return docker_backend.DockerSandbox(settings)
        log.info("sandbox: Docker not used (%s); falling back to the local backend", reason)
        return local_backend.open_local_sandbox(settings)
    raise ValueError(f"unknown sandbox kind {kind!r}: expected docker, local or auto")
