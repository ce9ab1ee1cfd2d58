"""Shared fixtures: real servers on 127.0.0.1 (uvicorn, Redis, Celery workers)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not up within {timeout_s} s")


def service_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REWARDD_LOG_JSON": "true"}
    env.pop("REWARDD_BROKER_URL", None)
    env.update(overrides)
    return env


@contextlib.contextmanager
def running_service(log_path: Path, **env: str) -> Iterator[str]:
    """`rewardd serve` as a user starts it, on a free port; yields its base URL."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rewardd", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=service_env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200, 90, "rewardd serve")
        yield url
    finally:
        stop_process_group(process)


@contextlib.contextmanager
def running_worker(log_path: Path, broker_url: str, **env: str) -> Iterator[subprocess.Popen]:
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rewardd", "worker"],
            env=service_env(REWARDD_BROKER_URL=broker_url, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class RedisServer:
    """A private redis-server on a free loopback port, which tests may stop and restart."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_for(client.ping, 20, "redis-server")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") or os.environ.get("REQUIRE_REDIS"):
            pytest.fail("redis-server is not installed; scripts/setup_test_env.sh installs it")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedded_url(tmp_path_factory) -> Iterator[str]:
    """A real `rewardd serve` in embedded mode, shared by the tests of a session."""
    log = tmp_path_factory.mktemp("embedded") / "serve.log"
    with running_service(log, REWARDD_POOL_SIZE="2", REWARDD_MATH_ITEM_TIMEOUT_S="3") as url:
        yield url
