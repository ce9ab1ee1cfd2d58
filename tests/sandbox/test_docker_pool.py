"""The Docker pool: the hardening is really applied, dead containers are replaced."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

import docker
from sandbox import ExecutionRequest
from sandbox.docker_backend import OWNER_LABEL
from tests.sandbox.conftest import TEST_SETTINGS, assert_healthy

pytestmark = pytest.mark.docker


def our_containers() -> list:
    client = docker.from_env()
    owner = f"{socket.gethostname()}:{os.getpid()}"
    return client.containers.list(filters={"label": f"{OWNER_LABEL}={owner}"})


def test_containers_are_hardened(docker_sandbox):
    assert_healthy(docker_sandbox)
    containers = our_containers()
    assert containers
    host = containers[0].attrs["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    # SYS_ADMIN, SETPCAP: the runner's, for each job's fresh namespaces; no job keeps them
    # (test_job_namespaces.py)
    assert sorted(host["CapAdd"]) == ["CHOWN", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["PidsLimit"] == TEST_SETTINGS.pids_limit
    assert host["Memory"] == host["MemorySwap"] > 0
    assert host["NanoCpus"] == int(TEST_SETTINGS.cpus * 1e9)
    assert {u["Name"] for u in host["Ulimits"]} >= {"fsize", "nofile"}
    assert host["Init"] is True
    assert "size=" in host["Tmpfs"]["/sandbox"]
    assert host["LogConfig"]["Type"] == "none"
    assert containers[0].attrs["Config"]["Env"] is None or not any(
        "SECRET" in e for e in containers[0].attrs["Config"]["Env"]
    )


def test_containers_killed_while_idle_are_replaced(docker_sandbox):
    assert_healthy(docker_sandbox)
    for container in our_containers():
        container.kill()
    deadline = time.monotonic() + 20
    while our_containers() and time.monotonic() < deadline:
        time.sleep(0.1)
    result = docker_sandbox.execute(ExecutionRequest(code="print('fresh')"))
    assert (result.status, result.stdout) == ("ok", "fresh\n"), result
    assert_healthy(docker_sandbox)


def test_a_timeout_recycles_its_container(docker_sandbox):
    assert_healthy(docker_sandbox)
    before = {c.id for c in our_containers()}
    result = docker_sandbox.execute(ExecutionRequest(code="while True: pass", timeout_s=0.5))
    assert result.status == "timeout"
    deadline = time.monotonic() + 20
    while before <= {c.id for c in our_containers()} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not before <= {c.id for c in our_containers()}
    assert_healthy(docker_sandbox)


CONTAINER_ID = (
    Path(__file__).resolve().parent.parent / "data" / "docker_pool" / "container_id.py"
).read_text(encoding="utf-8")


def test_containers_are_replaced_after_n_jobs():
    from sandbox.docker_backend import DockerSandbox
    from sandbox.limits import SandboxSettings

    settings = SandboxSettings(pool_size=1, jobs_per_container=2)
    with DockerSandbox(settings) as small:
        pids = []
        for _ in range(4):
            result = small.execute(ExecutionRequest(code=CONTAINER_ID))
            assert result.status == "ok"
            pids.append(result.stdout)
        assert pids[0] == pids[1] != pids[2] == pids[3]
