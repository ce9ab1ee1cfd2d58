"""The compose stack as a user runs it: images built with no registry, redis + api + workers.

Builds the images with scripts/build_images.sh (the offline path), brings the stack up with
docker-compose.hostnet.yml (the daemons here have no bridge network) on free 127.0.0.1 ports
under a project name of its own, grades through the API, scales the workers and kills one in the
middle of a batch. Before that, plain `docker compose up` (the default files, a bridge network)
serves the README's example, where the daemon can make bridge networks. Always tears the stacks
down. Skipped without Docker and docker-compose unless REQUIRE_DOCKER=1, then it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import free_port, wait_for

pytestmark = [pytest.mark.compose, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parent.parent
BASE_FILE = ROOT / "docker-compose.yml"
HOSTNET_FILE = ROOT / "docker-compose.hostnet.yml"
OVERRIDE_FILE = ROOT / "docker-compose.override.yml"
BUILD_TIMEOUT_S = 900
READY_TIMEOUT_S = 180

ADD = (
    "<think>Add the two numbers.</think><answer>\n```python\n"
    "def add(a, b):\n    return a + b\n```\n</answer>"
)
SUM_STDIN = (
    "<think>Read two numbers, print their sum.</think><answer>\n```python\n"
    "a, b = map(int, input().split())\nprint(a + b)\n```\n</answer>"
)


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_DOCKER") == "1":
        pytest.fail(f"{reason} (REQUIRE_DOCKER=1)")
    pytest.skip(reason)


def _require_compose() -> list[str]:
    """Compose v1 (Debian's docker-compose, as on the CI machines), else the v2 plugin."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    _unavailable("docker-compose missing: apt-get install docker-compose")
    raise AssertionError("unreachable")


def _port(port: str | dict) -> str:
    """host_ip:published:target, from v1's short syntax or v2's long one."""
    if isinstance(port, dict):
        return f"{port.get('host_ip', '')}:{port['published']}:{port['target']}"
    return port.split("/")[0]


def _run(args: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        raise AssertionError(f"{' '.join(args)} failed ({done.returncode}):\n{output}")
    return done.stdout


# --- the compose files, with no daemon needed ------------------------------------------------


def _config(*files: Path, env: dict[str, str] | None = None) -> dict:
    args = [*_require_compose(), "--project-directory", str(ROOT)]
    for file in files:
        args += ["-f", str(file)]
    # The defaults, whatever REWARDD_* this shell happens to have.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REWARDD_")}
    return yaml.safe_load(_run([*args, "config"], env={**clean, **(env or {})}))


def test_compose_files_are_valid_and_publish_only_the_api():
    default = _config(BASE_FILE, OVERRIDE_FILE)
    services = default["services"]
    assert set(services) == {"redis", "sandbox", "api", "worker"}
    published = {
        name: [_port(port) for port in svc["ports"]]
        for name, svc in services.items()
        if svc.get("ports")
    }
    assert list(published) == ["api"]
    assert published["api"] == ["127.0.0.1:8000:8000"]
    for name, service in services.items():
        assert "test" in service["healthcheck"], f"{name} has no health check"
        assert service["restart"] in {"unless-stopped", "no"}, name
    assert services["worker"]["depends_on"]["sandbox"]["condition"] == (
        "service_completed_successfully"
    )
    assert "/var/run/docker.sock:/var/run/docker.sock" in services["worker"]["volumes"][0]
    assert services["api"]["environment"]["REWARDD_BROKER_URL"] == "redis://redis:6379/0"

    # The main file alone is valid too, and publishes nothing.
    assert not any(svc.get("ports") for svc in _config(BASE_FILE)["services"].values())

    hostnet = _config(BASE_FILE, HOSTNET_FILE, env={"REWARDD_PORT": "18000"})["services"]
    assert {svc["network_mode"] for svc in hostnet.values() if svc.get("network_mode")} >= {"host"}
    assert not any(svc.get("ports") for svc in hostnet.values())
    assert hostnet["api"]["command"][-3:] == ["127.0.0.1", "--port", "18000"]
    assert hostnet["worker"]["environment"]["REWARDD_BROKER_URL"] == "redis://127.0.0.1:6380/0"


# --- the running stack -----------------------------------------------------------------------


class Stack:
    """One docker-compose project of ours; every command is scoped to it by its name."""

    def __init__(self, project: str, files: list[Path], env: dict[str, str]) -> None:
        self.project = project
        self.env = env
        self.url = f"http://127.0.0.1:{env['REWARDD_PORT']}"
        self.base = [*_require_compose(), "--project-name", project]
        self.base += ["--project-directory", str(ROOT)]
        for file in files:
            self.base += ["-f", str(file)]

    def compose(self, *args: str, timeout: float = 300) -> str:
        return _run([*self.base, *args], env=self.env, timeout=timeout)

    def containers(self, service: str) -> list[str]:
        return self.compose("ps", "-q", service).split()

    def logs(self, container: str) -> str:
        done = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
        return done.stdout + done.stderr

    def wait_ready(self) -> None:
        wait_for(
            lambda: httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200,
            READY_TIMEOUT_S,
            "the compose stack",
        )


def stack_env(**settings: str) -> dict[str, str]:
    """This process's environment without any REWARDD_* of its own, plus `settings`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REWARDD_")}
    return {**clean, "REWARDD_PORT": str(free_port()), **settings}


@contextlib.contextmanager
def running_stack(name: str, files: list[Path], env: dict[str, str], logs: Path) -> Iterator[Stack]:
    """`up -d` until /readyz answers 200; always `down`, keeping the logs for a post-mortem."""
    stack = Stack(f"rewardd-test-{name}-{os.getpid()}", files, env)
    try:
        stack.compose("up", "-d", timeout=300)
        try:
            stack.wait_ready()
        except TimeoutError as exc:
            tail = stack.compose("logs", "--no-color", "--tail", "30", timeout=60)
            raise AssertionError(f"{exc}; the stack's last log lines:\n{tail}") from exc
        yield stack
    finally:
        with contextlib.suppress(Exception):
            logs.write_text(stack.compose("logs", "--no-color", "--tail", "300", timeout=60))
            print(f"compose logs: {logs}")
        stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", timeout=180)


@pytest.fixture(scope="module")
def images() -> None:
    """The images, built the offline way (cached: a second build only checks the layers)."""
    _require_compose()
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        _unavailable("no Docker daemon (scripts/start_dockerd.sh)")
    _run(["bash", str(ROOT / "scripts" / "build_images.sh")], timeout=BUILD_TIMEOUT_S)


@pytest.fixture(scope="module")
def stack(images, tmp_path_factory) -> Iterator[Stack]:
    """The stack on the host's network (docker-compose.hostnet.yml), on free ports."""
    env = stack_env(
        REWARDD_REDIS_PORT=str(free_port()),
        # Small chunks spread a batch over both workers; a short visibility timeout brings a
        # killed worker's chunks back within seconds instead of a minute.
        REWARDD_CHUNK_SIZE="8",
        REWARDD_VISIBILITY_TIMEOUT_S="10",
        REWARDD_SANDBOX_POOL="4",
    )
    logs = tmp_path_factory.mktemp("compose") / "hostnet.log"
    with running_stack("hostnet", [BASE_FILE, HOSTNET_FILE], env, logs) as stack:
        yield stack


README_ITEM = {
    "id": "q1",
    "completion": "<think>72 divided by 19 does not simplify.</think>"
    "<answer>\\frac{72}{19}</answer>",
    "reference": {"answer": "72/19"},
}


def test_plain_compose_up_serves_the_readme_example(images, tmp_path):
    """`docker compose up` as a new user runs it: the default files, a bridge network."""
    probe = f"rewardd-test-probe-{os.getpid()}"
    if subprocess.run(["docker", "network", "create", probe], capture_output=True).returncode:
        pytest.skip(
            "this daemon cannot create bridge networks: docker-compose.hostnet.yml is the way"
        )
    subprocess.run(["docker", "network", "rm", probe], capture_output=True)

    files = [BASE_FILE, OVERRIDE_FILE]
    with running_stack("bridge", files, stack_env(), tmp_path / "bridge.log") as stack:
        [result] = grade(stack, [README_ITEM])
        assert result["components"] == {"accuracy": 1.0, "format": 1.0, "language": 1.0}
        [code] = grade(
            stack,
            [
                {
                    "completion": SUM_STDIN,
                    "reference": {"test_cases": [{"input": "2 3", "output": "5"}]},
                }
            ],
            recipe="code",
        )
        assert code["components"]["code"] == 1.0, code


def grade(stack: Stack, items: list[dict], timeout_s: float = 60, **body) -> list[dict]:
    response = httpx.post(
        f"{stack.url}/v1/rewards",
        json={"items": items, "timeout_s": timeout_s, **body},
        timeout=timeout_s + 30,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_readme_example_grades_through_the_stack(stack):
    [result] = grade(stack, [README_ITEM])
    assert result["id"] == "q1"
    assert result["components"] == {"accuracy": 1.0, "format": 1.0, "language": 1.0}
    assert result["reward"] == pytest.approx(1.5)
    assert result["error"] is None
    ready = httpx.get(f"{stack.url}/readyz").json()
    assert ready["mode"] == "distributed"


def test_math_batch(stack):
    items = []
    for n in range(1, 65):
        given = f"\\frac{{{n}}}{{7}}" if n % 3 else f"{n + 1}/7"
        items.append(
            {
                "id": f"m{n}",
                "completion": f"<think>Divide {n} by 7.</think><answer>\\boxed{{{given}}}</answer>",
                "reference": {"answer": f"{n}/7"},
            }
        )
    results = grade(stack, items, recipe="r1-zero")
    assert [r["id"] for r in results] == [item["id"] for item in items]
    for n, result in enumerate(results, start=1):
        assert result["error"] is None, result
        assert result["components"]["accuracy"] == (1.0 if n % 3 else 0.0), result
        assert result["components"]["format"] == 1.0


def test_code_batch_runs_in_the_workers_sandbox(stack):
    tests_ref = {
        "tests": "def test_square():\n    assert add(2, 2) == 4\n\n"
        "def test_small():\n    assert add(1, 2) == 3\n"
    }
    items = [
        {"id": "right", "completion": ADD, "reference": tests_ref},
        {"id": "wrong", "completion": ADD.replace("a + b", "a * b"), "reference": tests_ref},
        {
            "id": "stdin",
            "completion": SUM_STDIN,
            "reference": {
                "test_cases": [
                    {"input": "1 2\n", "output": "3\n"},
                    {"input": "5 5", "output": "10"},
                ]
            },
        },
        {
            "id": "fn",
            "completion": ADD,
            "reference": {"fn_name": "add", "test_cases": [{"input": "[2, 3]", "output": "5"}]},
        },
        {
            "id": "exits-early",
            "completion": ADD.replace("return a + b", "import sys; sys.exit(0)"),
            "reference": tests_ref,
        },
    ]
    results = {r["id"]: r for r in grade(stack, items, recipe="code")}
    for result in results.values():
        assert result["error"] is None, result
    assert results["right"]["components"]["code"] == 1.0
    assert results["wrong"]["components"]["code"] == 0.5  # 2 * 2 == 4 passes, 1 * 2 != 3
    assert results["stdin"]["components"]["code"] == 1.0
    assert results["fn"]["components"]["code"] == 1.0
    assert results["exits-early"]["components"]["code"] == 0.0

    executed = httpx.post(
        f"{stack.url}/v1/execute",
        json={"language": "python", "code": "print(input()[::-1])", "stdin": "olleh"},
        timeout=60,
    ).json()
    assert (executed["status"], executed["stdout"]) == ("ok", "hello\n")


PROCESS_STATUS = """
import os
for pid in filter(str.isdigit, os.listdir("/proc")):
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        if b"-m\\0rewardd\\0" not in cmdline.read():
            continue
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    print(fields["Uid"].split()[0], fields["CapEff"].strip(), fields["Groups"].strip())
"""


def test_services_run_as_an_unprivileged_user(stack):
    socket_gid = str(os.stat("/var/run/docker.sock").st_gid)
    for service in ("api", "worker"):
        [container] = stack.containers(service)[:1]
        done = subprocess.run(
            ["docker", "exec", container, "python3", "-c", PROCESS_STATUS],
            capture_output=True,
            text=True,
            check=True,
        )
        rows = [line.split(maxsplit=2) for line in done.stdout.splitlines()]
        assert rows, f"no rewardd process in {service}"
        for uid, capabilities, *groups in rows:
            assert uid == "10001", (service, rows)
            assert int(capabilities, 16) == 0, (service, rows)
            if service == "worker":  # the Docker socket's group, and nothing else of root's
                assert set(groups[0].split()) == {"10001", socket_gid}, rows


def slow_code_items(count: int) -> list[dict]:
    """Distinct items (no cache hit) that each take a second in the sandbox; even ids pass."""
    items = []
    for n in range(count):
        expected = 3 if n % 2 == 0 else 4
        items.append(
            {
                "id": n,
                "completion": ADD.replace("return a + b", f"return a + b  # sample {n}"),
                "reference": {
                    "tests": "import time\n\ndef test_add():\n    time.sleep(1)\n"
                    f"    assert add(1, 2) == {expected}\n"
                },
            }
        )
    return items


def chunks_in_log(log: str, event: str) -> set[str]:
    """Ids of the grade_chunk tasks that Celery logged as `event` (received, succeeded)."""
    return set(re.findall(rf"rewardd\.grade_chunk\[([0-9a-f-]+)\] {event}", log))


def test_a_worker_killed_mid_batch_loses_no_item(stack):
    stack.compose("up", "-d", "--no-recreate", "--scale", "worker=2", timeout=300)
    workers = stack.containers("worker")
    assert len(workers) == 2
    wait_for(
        lambda: all("ready." in stack.logs(worker) for worker in workers),
        READY_TIMEOUT_S,
        "both workers",
    )
    seen_before = {w: chunks_in_log(stack.logs(w), "received") for w in workers}

    items = slow_code_items(64)
    outcome: dict = {}

    def post() -> None:
        try:
            outcome["results"] = grade(stack, items, timeout_s=180, recipe="code")
        except BaseException as exc:  # surfaced in the main thread below
            outcome["error"] = exc

    def busy_worker() -> str | None:
        for worker in workers:
            log = stack.logs(worker)
            held = chunks_in_log(log, "received") - chunks_in_log(log, "succeeded")
            if held - seen_before[worker]:
                return worker
        return None

    client = threading.Thread(target=post)
    client.start()
    # Kill a worker that holds work of this batch: a chunk received and not done (a chunk takes
    # seconds: 8 items of a second each on 4 sandbox containers).
    victim: list[str] = []
    wait_for(lambda: victim.append(busy_worker()) or victim[-1], 60, "a worker taking a chunk")
    victim = victim[-1]
    subprocess.run(["docker", "kill", victim], check=True, capture_output=True)
    client.join(timeout=300)
    assert not client.is_alive(), "the batch never came back"
    if "error" in outcome:
        raise outcome["error"]

    results = outcome["results"]
    assert [r["id"] for r in results] == list(range(64))
    for result in results:
        assert result["error"] is None, result
        assert result["components"]["code"] == (1.0 if result["id"] % 2 == 0 else 0.0), result

    # What the killed worker held was delivered again, and graded by the survivor.
    victim_log = stack.logs(victim)
    lost_with_victim = chunks_in_log(victim_log, "received") - chunks_in_log(
        victim_log, "succeeded"
    )
    assert lost_with_victim
    survivor = next(w for w in workers if w != victim)
    assert lost_with_victim <= chunks_in_log(stack.logs(survivor), "succeeded")

    # The stack is still ready and grades on.
    stack.wait_ready()
    [after] = grade(stack, slow_code_items(1), recipe="code")
    assert after["components"]["code"] == 1.0


def test_load_script_runs_clean_against_the_stack(stack):
    """bench/load.py as docs/benchmarks.md runs it, briefly: items graded, no error."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--url",
            stack.url,
            "--duration",
            "3",
            "--concurrency",
            "4",
            "--kind",
            "mixed",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = json.loads(done.stdout)
    assert done.returncode == 0, summary
    assert summary["errors"] == 0, summary
    assert summary["items"] >= 32 and summary["mode"] == "distributed", summary
