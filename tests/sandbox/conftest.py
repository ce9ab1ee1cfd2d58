"""Sandbox fixtures: one warm sandbox per backend for the whole session, so the suite stays fast.

Docker tests skip when the daemon or the image is missing, unless REQUIRE_DOCKER=1 (CI), then
they fail. bwrap tests skip when bubblewrap does not work here, unless REQUIRE_BWRAP=1.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from sandbox import ExecutionRequest, Sandbox
from sandbox.docker_backend import DockerSandbox, docker_unavailable_reason
from sandbox.limits import SandboxSettings
from sandbox.local_backend import BwrapSandbox

# Put in this process's environment before any sandbox opens: no job may ever see it.
HOST_SECRET = f"rewardd-host-secret-{secrets.token_hex(8)}"
os.environ["REWARDD_SANDBOX_TEST_SECRET"] = HOST_SECRET

TEST_SETTINGS = SandboxSettings(
    image=os.environ.get("REWARDD_SANDBOX_IMAGE") or SandboxSettings.image,
    pool_size=2,
    max_timeout_s=30,
    output_limit_bytes=1 << 20,
)


def _unavailable(reason: str, required_by: str) -> None:
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{reason} ({required_by}=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_sandbox() -> Iterator[DockerSandbox]:
    reason = docker_unavailable_reason(TEST_SETTINGS.image)
    if reason is not None:
        _unavailable(reason, "REQUIRE_DOCKER")
    sandbox = DockerSandbox(TEST_SETTINGS)
    try:
        yield sandbox
    finally:
        sandbox.close()


@pytest.fixture(scope="session")
def bwrap_sandbox() -> Iterator[BwrapSandbox]:
    sandbox = BwrapSandbox(TEST_SETTINGS)
    reason = sandbox.problem()
    if reason is not None:
        _unavailable(reason, "REQUIRE_BWRAP")
    yield sandbox
    sandbox.close()


@pytest.fixture(
    params=[pytest.param("docker", marks=pytest.mark.docker), pytest.param("bwrap")],
)
def sandbox(request) -> Sandbox:
    """Each hostile test runs against every real backend."""
    return request.getfixturevalue(f"{request.param}_sandbox")


def assert_healthy(sandbox: Sandbox) -> None:
    """After anything hostile: the sandbox is ready and the next job gives the right answer."""
    assert sandbox.problem() is None
    result = sandbox.execute(ExecutionRequest(code="print(6 * 7)", timeout_s=10))
    assert (result.status, result.stdout) == ("ok", "42\n"), result
