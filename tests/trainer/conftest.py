"""Fixtures for the trainer_client tests: a real `rewardd serve` on 127.0.0.1, and the toy model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # On a busy 2-core machine one thread per process is faster than two fighting for a core.
    env.setdefault("OMP_NUM_THREADS", "1")
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def rewardd_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real embedded-mode service, started as a user would, stopped after the session."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("rewardd") / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "rewardd", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in subprocess_env().items() if k != "REWARDD_BROKER_URL"},
            cwd=REPO,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"rewardd serve exited with {server.returncode}:\n{log_path.read_text()}"
                )
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"rewardd serve did not become healthy:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def toy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy model, tokenizer and prompts, saved with save_pretrained like a user's."""
    from trainer_client.grpo.toy import write_toy

    directory = tmp_path_factory.mktemp("toy")
    write_toy(directory)
    return directory
