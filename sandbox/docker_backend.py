"""The Docker backend: a warm pool of hardened containers, each running sandbox/runner.py.

A job costs one fork+exec inside an already running container: the host writes a
length-prefixed JSON frame to the container's stdin over the Docker attach stream and reads the
answer from its stdout. The attach stream works wherever the Docker API does (a remote daemon,
a worker container with the host's socket), unlike a bind-mounted socket.

Each container is started with StdinOnce: if this process dies, Docker closes the container's
stdin, the runner exits and the container removes itself (AutoRemove).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import select
import socket
import struct
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from docker.types import LogConfig, Ulimit

import docker
from docker import errors as docker_errors
from sandbox import ExecutionRequest, ExecutionResult
from sandbox import runner as runner_module
from sandbox.limits import SandboxSettings, job_message, reply_timeout_s, validate_request
from sandbox.procutil import FRAME_HEADER, encode_frame, wall_ceiling_s
from sandbox.results import infra_error, result_from_reply

log = logging.getLogger(__name__)

DOCKER_STREAM_HEADER = struct.Struct(">BxxxI")
# The runner's own bookkeeping after a job (cleanup, checks) on top of the job's timeout.
REPLY_MARGIN_S = 10.0
RETRY_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
DAEMON_CHECK_INTERVAL_S = 2.0
DAEMON_PING_TIMEOUT_S = 3.0  # /readyz must answer promptly even when the daemon hangs
SCRATCH_TMPFS_MB = 16
RUNNER_MEMORY_MB = 128
OWNER_LABEL = "rewardd.sandbox.owner"
# sha256 of runner.BAKED_FILES (the files baked into the image, in that order), set by
# scripts/build_sandbox_image.sh.
RUNNER_LABEL = "rewardd.sandbox.runner"
JUDGE_TMPFS_MB = 16
# How long "that image is not built" is believed before the daemon is asked again.
IMAGE_RECHECK_S = 10.0


def docker_unavailable_reason(image: str) -> str | None:
    """None when a daemon answers and has the image, else why not."""
    try:
        client = docker.from_env(timeout=5)
    except docker_errors.DockerException as exc:
        return f"Docker daemon unreachable: {exc}"
    try:
        client.ping()
        client.images.get(image)
    except docker_errors.ImageNotFound:
        return f"sandbox image {image!r} not found: build it with scripts/build_sandbox_image.sh"
    except (docker_errors.DockerException, OSError) as exc:
        return f"Docker daemon unreachable: {exc}"
    finally:
        client.close()
    return None


class RunnerGone(ConnectionError):
    """The container's runner stopped answering: the container is unusable."""


class _Channel:
    """Frames to and from the runner over one container's attach stream."""

    def __init__(self, sock_io) -> None:
        self._sock_io = sock_io  # keep the wrapper alive: it owns the socket
        self._sock: socket.socket = getattr(sock_io, "_sock", sock_io)
        self._raw = bytearray()
        self._stdout = bytearray()

    def call(self, message: dict, timeout_s: float) -> dict:
        deadline = time.monotonic() + timeout_s
        self._sock.settimeout(timeout_s)
        try:
            self._sock.sendall(encode_frame(message))
        except OSError as exc:
            raise RunnerGone(f"cannot send to the sandbox runner: {exc}") from exc
        return self._read_frame(deadline)

    def looks_dead(self) -> bool:
        """An idle runner sends nothing: anything readable (EOF above all) means it is gone."""
        try:
            readable, _, _ = select.select([self._sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(OSError):
            self._sock_io.close()

    def _read_frame(self, deadline: float) -> dict:
        while True:
            if len(self._stdout) >= FRAME_HEADER.size:
                (length,) = FRAME_HEADER.unpack_from(self._stdout)
                end = FRAME_HEADER.size + length
                if len(self._stdout) >= end:
                    body = bytes(self._stdout[FRAME_HEADER.size : end])
                    del self._stdout[:end]
                    return json.loads(body)
            self._fill(deadline)

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RunnerGone("the sandbox runner did not answer in time")
        self._sock.settimeout(remaining)
        try:
            data = self._sock.recv(1 << 18)
        except TimeoutError as exc:
            raise RunnerGone("the sandbox runner did not answer in time") from exc
        except OSError as exc:
            raise RunnerGone(f"lost the sandbox runner: {exc}") from exc
        if not data:
            raise RunnerGone("the sandbox runner exited (its container stopped)")
        self._raw += data
        # Docker multiplexes stdout and stderr on a non-tty attach: 8-byte headers.
        while len(self._raw) >= DOCKER_STREAM_HEADER.size:
            stream, size = DOCKER_STREAM_HEADER.unpack_from(self._raw)
            end = DOCKER_STREAM_HEADER.size + size
            if len(self._raw) < end:
                break
            payload = bytes(self._raw[DOCKER_STREAM_HEADER.size : end])
            del self._raw[:end]
            if stream == 1:
                self._stdout += payload
            else:
                log.warning("sandbox runner: %s", payload.decode("utf-8", "replace").rstrip())


@dataclass
class _Container:
    id: str
    channel: _Channel
    jobs: int = 0
    started_at: float = field(default_factory=time.monotonic)


class DockerSandbox:
    """Thread-safe; execute() checks a container out of the pool for the length of one job.

    One pool per image: this one's (`image_name`, "default" unless told), and another one,
    started on first use, for each other image a request names (`ExecutionRequest.image`).
    """

    name = "docker"

    def __init__(
        self, settings: SandboxSettings | None = None, *, image_name: str = "default"
    ) -> None:
        self._settings = settings or SandboxSettings.from_env()
        self._image_name = image_name
        self._image = self._settings.docker_image(image_name)
        self._reset_state()
        self_ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (s := self_ref()) and s._reset_state())
        self._ensure_pool()

    # --- public ---------------------------------------------------------------------------

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        validate_request(request, self._settings)
        if request.image != self._image_name:
            other = self._pool_for(request.image)
            if isinstance(other, str):
                return infra_error(other)
            return other.execute(request)
        self._ensure_pool()
        if self._closed:
            return infra_error("the sandbox is closed")
        container = self._checkout()
        if container is None:
            return infra_error(
                f"no sandbox container became available: {self.problem() or 'all busy'}"
            )
        message = job_message(request, self._settings)
        try:
            reply = container.channel.call(message, reply_timeout_s(request))
        except (RunnerGone, ValueError) as exc:
            self._retire(container, str(exc))
            return infra_error(str(exc))
        container.jobs += 1
        if (
            reply.get("recycle")
            or container.jobs >= self._settings.jobs_per_container
            or self._closed
        ):
            self._retire(container, ", ".join(reply.get("recycle_reasons") or ["job count"]))
        else:
            self._idle.put(container)
        return result_from_reply(reply)

    def problem(self) -> str | None:
        if self._closed:
            return "the sandbox is closed"
        self._ensure_pool()
        now = time.monotonic()
        if now - self._daemon_checked_at > DAEMON_CHECK_INTERVAL_S:
            self._daemon_checked_at = now
            try:
                if self._ping_client is None:
                    self._ping_client = docker.from_env(timeout=DAEMON_PING_TIMEOUT_S)
                self._ping_client.ping()
                self._daemon_problem = None
            except Exception as exc:
                self._daemon_problem = f"Docker daemon unreachable: {exc}"
        if self._daemon_problem:
            return self._daemon_problem
        with self._lock:
            if self._start_problem and self._live == 0:
                return self._start_problem
        return None

    def _pool_for(self, image_name: str) -> DockerSandbox | str:
        """The pool of another image, or why there is none (its image is not built)."""
        with self._lock:
            other = self._others.get(image_name)
            if other is not None:
                return other
            missing = self._missing.get(image_name)
            if missing is not None and time.monotonic() < missing[1]:
                return missing[0]
        image = self._settings.docker_image(image_name)
        reason = docker_unavailable_reason(image)
        with self._lock:
            if reason is not None:
                message = f"image {image_name!r}: {reason}"
                self._missing[image_name] = (message, time.monotonic() + IMAGE_RECHECK_S)
                return message
            if self._closed:
                return "the sandbox is closed"
            other = self._others.get(image_name)
            if other is None:
                other = self._others[image_name] = DockerSandbox(
                    self._settings, image_name=image_name
                )
            return other

    @property
    def live_containers(self) -> int:
        """Containers in the pools now (every image's), idle or running a job (for metrics)."""
        with self._lock:
            others = list(self._others.values())
        return self._live + sum(other.live_containers for other in others)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake.set()
        while True:
            try:
                container = self._idle.get_nowait()
            except queue.Empty:
                break
            self._retire(container, "closing")
        with self._lock:
            others, self._others = list(self._others.values()), {}
        for other in others:
            other.close()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        for client in (self._client, self._ping_client):
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- pool -----------------------------------------------------------------------------

    def _reset_state(self) -> None:
        """Fresh state; also what a forked child gets (the parent's containers stay its own)."""
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._idle: queue.Queue[_Container] = queue.Queue()
        self._wake = threading.Event()
        self._live = 0
        self._failures = 0
        self._started = False
        self._closed = False
        self._start_problem: str | None = None
        self._daemon_problem: str | None = None
        self._daemon_checked_at = 0.0
        self._client = None
        self._ping_client = None
        self._executor: ThreadPoolExecutor | None = None
        self._others: dict[str, DockerSandbox] = {}  # the pools of other images
        self._missing: dict[str, tuple[str, float]] = {}  # image name: (why, recheck after)

    def _ensure_pool(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            self._executor = ThreadPoolExecutor(
                max_workers=self._settings.pool_size + 2, thread_name_prefix="sandbox-pool"
            )
        for _ in range(self._settings.pool_size):
            self._schedule_start()
        self._executor.submit(self._warn_if_runner_is_stale)

    def _warn_if_runner_is_stale(self) -> None:
        """The image carries its own copy of runner.py; say so when it is not this one."""
        with contextlib.suppress(Exception):
            labels = self._docker().images.get(self._image).labels or {}
            in_image = labels.get(RUNNER_LABEL)
            here = runner_files_sha256()
            if in_image and in_image != here:
                log.warning(
                    "sandbox: image %s carries another version of the runner's files (%s); "
                    "rebuild it with scripts/build_sandbox_image.sh",
                    self._image,
                    ", ".join(runner_module.BAKED_FILES),
                )

    def _docker(self) -> docker.DockerClient:
        with self._lock:
            if self._client is None:
                self._client = docker.from_env(timeout=max(30, int(self._settings.start_timeout_s)))
            return self._client

    def _checkout(self) -> _Container | None:
        # Busy is not broken: wait long enough for a container to finish the longest job and
        # be replaced; give up at once when containers cannot be started at all.
        patience = (
            self._settings.start_timeout_s
            + wall_ceiling_s(self._settings.max_timeout_s)
            + REPLY_MARGIN_S
        )
        deadline = time.monotonic() + patience
        while not self._closed:
            try:
                container = self._idle.get(timeout=min(0.25, max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                pass
            else:
                if not container.channel.looks_dead():
                    return container
                self._retire(container, "runner died while idle")
                continue
            with self._lock:
                known_down = self._start_problem is not None and self._live == 0
            if known_down or time.monotonic() >= deadline:
                return None
        return None

    def _schedule_start(self, delay_s: float = 0.0) -> None:
        with self._lock:
            if self._closed or self._executor is None:
                return
            self._executor.submit(self._start_one, delay_s)

    def _start_one(self, delay_s: float) -> None:
        if delay_s and self._wake.wait(delay_s):
            return  # closing
        try:
            container = self._launch()
        except Exception as exc:
            with self._lock:
                self._failures += 1
                self._start_problem = _describe_start_failure(exc, self._image)
                backoff = RETRY_BACKOFF_S[min(self._failures, len(RETRY_BACKOFF_S)) - 1]
            log.warning("sandbox: %s (retrying in %.1fs)", self._start_problem, backoff)
            self._schedule_start(backoff)
            return
        with self._lock:
            closed = self._closed
            if not closed:
                self._live += 1
                self._failures = 0
                self._start_problem = None
        if closed:
            self._remove(container)
        else:
            self._idle.put(container)

    def _retire(self, container: _Container, reason: str) -> None:
        log.debug("sandbox: recycling container %s (%s)", container.id[:12], reason)
        with self._lock:
            self._live -= 1
            closed = self._closed
            try:
                self._executor.submit(self._remove, container)
            except (AttributeError, RuntimeError):  # no executor (after fork) or shut down
                container.channel.close()
        if not closed:
            self._schedule_start()

    def _remove(self, container: _Container) -> None:
        container.channel.close()  # StdinOnce: the runner sees EOF and the container stops
        with contextlib.suppress(docker_errors.NotFound, docker_errors.APIError):
            self._docker().api.remove_container(container.id, force=True)

    def _launch(self) -> _Container:
        api = self._docker().api
        created = api.create_container(
            self._image,
            detach=False,  # with stdin_open: AttachStdin and StdinOnce
            stdin_open=True,
            tty=False,
            user="0:0",
            hostname="sandbox",
            working_dir="/sandbox",
            network_disabled=True,
            labels={"rewardd.sandbox": "1", OWNER_LABEL: f"{socket.gethostname()}:{os.getpid()}"},
            host_config=api.create_host_config(**container_host_config(self._settings)),
            use_config_proxy=False,  # an empty environment: no proxy variables either
        )
        container_id = created["Id"]
        try:
            sock = api.attach_socket(
                container_id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            channel = _Channel(sock)
            api.start(container_id)
            # Every page a case can read cached before its first job (sandbox/page_cache.py).
            ping = {"op": "ping", "warm_page_cache": ["/"]}
            pong = channel.call(ping, self._settings.start_timeout_s)
            if pong.get("op") != "pong":
                raise RunnerGone(f"unexpected answer from the runner: {pong!r}")
            runner_module.warn_if_weaker(pong, "docker", log.warning)
        except BaseException:
            with contextlib.suppress(Exception):
                api.remove_container(container_id, force=True)
            raise
        return _Container(id=container_id, channel=channel)


def runner_files_sha256() -> str:
    digest = hashlib.sha256()
    for path in runner_module.baked_files():
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


def container_host_config(settings: SandboxSettings) -> dict:
    """The hardening of every sandbox container (docs/sandbox.md explains each line)."""
    memory_mb = (
        settings.max_memory_mb
        + settings.work_mb
        + SCRATCH_TMPFS_MB
        + JUDGE_TMPFS_MB
        + RUNNER_MEMORY_MB
    )
    tmpfs_flags = "rw,nosuid,nodev,noexec"
    config = {
        "network_mode": "none",
        "read_only": True,
        "tmpfs": {
            "/sandbox": (
                f"{tmpfs_flags},size={settings.work_mb}m,nr_inodes={settings.work_inodes},mode=755"
            ),
            "/tmp": f"{tmpfs_flags},size={SCRATCH_TMPFS_MB}m,nr_inodes=1024,mode=1777",
            # The judge's files and scratch: a tmpfs of its own, so no case can fill it.
            "/judge": f"{tmpfs_flags},size={JUDGE_TMPFS_MB}m,nr_inodes=1024,mode=755",
        },
        "shm_size": f"{SCRATCH_TMPFS_MB}m",
        "ipc_mode": "private",
        # The runner (uid 0 inside) keeps only what it needs to hand a job its own uid and
        # work dir: no CAP_KILL, no CAP_DAC_OVERRIDE; it cleans up as the job's uid instead.
        "cap_drop": ["ALL"],
        # SYS_ADMIN: the runner gives each job fresh pid, mount and IPC namespaces (runner.py,
        # enter_fresh_namespaces); SETPCAP: it takes both out of each job's bounding set, so
        # no job keeps them, not even the judge, which starts as root.
        "cap_add": ["SETUID", "SETGID", "CHOWN", "SYS_ADMIN", "SETPCAP"],
        "security_opt": ["no-new-privileges"],
        "pids_limit": settings.pids_limit,
        "mem_limit": f"{memory_mb}m",
        "memswap_limit": f"{memory_mb}m",
        "nano_cpus": int(settings.cpus * 1e9),
        "ulimits": [
            Ulimit(name="fsize", soft=settings.work_mb << 20, hard=settings.work_mb << 20),
            Ulimit(name="nofile", soft=1024, hard=1024),
            Ulimit(name="core", soft=0, hard=0),
        ],
        "init": True,
        "auto_remove": True,
        "log_config": LogConfig(type="none"),
    }
    if settings.runtime:
        config["runtime"] = settings.runtime
    return config


def _describe_start_failure(exc: Exception, image: str) -> str:
    if isinstance(exc, docker_errors.ImageNotFound):
        return f"sandbox image {image!r} not found: build it with scripts/build_sandbox_image.sh"
    if isinstance(exc, docker_errors.APIError):
        return f"cannot start a sandbox container: {exc.explanation or exc}"
    return f"cannot start a sandbox container: {exc}"
