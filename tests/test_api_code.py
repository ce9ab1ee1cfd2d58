"""Code rewards and /v1/execute through a real `rewardd serve` with the Docker sandbox."""

from __future__ import annotations

import os

import httpx
import pytest

from tests.conftest import running_service

pytestmark = pytest.mark.docker

SOLUTION = (
    "<think>add them</think><answer>```python\ndef add(a, b):\n    return a + b\n```</answer>"
)
TESTS = {
    "tests": "def test_small():\n    assert add(1, 2) == 3\n\n"
    "def test_zero():\n    assert add(0, 0) == 0\n"
}


@pytest.fixture(scope="module")
def docker_url(tmp_path_factory):
    from sandbox.docker_backend import docker_unavailable_reason
    from sandbox.limits import SandboxSettings

    reason = docker_unavailable_reason(SandboxSettings().image)
    if reason is not None:
        if os.environ.get("REQUIRE_DOCKER") == "1":
            pytest.fail(f"{reason} (REQUIRE_DOCKER=1)")
        pytest.skip(reason)
    log = tmp_path_factory.mktemp("docker-api") / "serve.log"
    with running_service(log, REWARDD_SANDBOX="docker", REWARDD_POOL_SIZE="2") as url:
        yield url


@pytest.fixture(scope="module")
def client(docker_url):
    with httpx.Client(base_url=docker_url, timeout=120) as client:
        yield client


def test_code_recipe_scores_a_right_and_a_partly_right_solution(client):
    wrong = SOLUTION.replace("a + b", "a * b")
    response = client.post(
        "/v1/rewards",
        json={
            "recipe": "code",
            "items": [
                {"id": "right", "completion": SOLUTION, "reference": TESTS},
                {"id": "half", "completion": wrong, "reference": TESTS},
            ],
        },
    )
    assert response.status_code == 200, response.text
    right, half = response.json()["results"]
    assert right["components"] == {"code": 1.0, "lint": 1.0, "format": 1.0}
    assert right["reward"] == pytest.approx(1.5)
    assert half["components"]["code"] == 0.5  # add(0, 0) == 0 holds for a * b too
    assert half["details"]["code"]["passed"] == 1


def test_code_accuracy_and_binary_code_agree(client):
    items = [
        {"completion": SOLUTION, "reference": TESTS},
        {"completion": SOLUTION.replace("a + b", "a - b"), "reference": TESTS},
        {
            "completion": "<answer>```python\nprint(int(input()) * 2)\n```</answer>",
            "reference": {
                "test_cases": [{"input": "2\n", "output": "4\n"}, {"input": "5", "output": "10"}]
            },
        },
    ]
    weights = {"accuracy": 1.0, "binary_code": 1.0, "code_format": 1.0}
    results = client.post("/v1/rewards", json={"items": items, "weights": weights}).json()[
        "results"
    ]
    assert [r["components"]["accuracy"] for r in results] == [1.0, 0.0, 1.0]
    assert [r["components"]["binary_code"] for r in results] == [1.0, 0.0, 1.0]
    assert [r["components"]["code_format"] for r in results] == [1.0, 1.0, 1.0]


def test_execute_runs_code_with_stdin_and_files(client):
    response = client.post(
        "/v1/execute",
        json={
            "code": "import sys\nprint(open('data.txt').read().strip(), sys.stdin.read())",
            "stdin": "from stdin",
            "files": {"data.txt": "from a file\n"},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok" and body["exit_code"] == 0
    assert body["stdout"] == "from a file from stdin\n"


def test_execute_reports_timeouts_and_stays_ready(client):
    body = client.post("/v1/execute", json={"code": "while True: pass", "timeout_s": 1}).json()
    assert body["status"] == "timeout"
    assert client.get("/readyz").status_code == 200
    after = client.post("/v1/execute", json={"code": "print(6 * 7)"}).json()
    assert after["stdout"] == "42\n"


def test_execute_rejects_paths_outside_the_work_dir(client):
    response = client.post("/v1/execute", json={"code": "1", "files": {"../etc/x": "y"}})
    assert response.status_code == 422
    assert "files" in str(response.json()["detail"][0]["loc"])


def test_execute_refuses_what_the_sandbox_limits_forbid(client):
    response = client.post("/v1/execute", json={"code": "1", "memory_mb": 4096})
    assert response.status_code == 422
    assert "memory" in response.json()["detail"][0]["msg"]


def test_metrics_count_sandbox_outcomes_and_the_pool(client):
    client.post("/v1/execute", json={"code": "raise SystemExit(3)"})
    text = client.get("/metrics").text
    assert 'rewardd_sandbox_executions_total{status="error"}' in text
    pool = next(line for line in text.splitlines() if line.startswith("rewardd_sandbox_pool_size"))
    assert float(pool.split()[-1]) >= 1


def _loop_count_for(cpu_s: float) -> int:
    """How many iterations of the solution's loop take cpu_s of CPU here."""
    import time

    count, started = 0, time.process_time()
    while time.process_time() - started < 0.2:
        for _ in range(10000):
            count += 1
    return int(count * cpu_s / 0.2)


def test_sixteen_copies_of_a_slow_correct_solution_all_pass(client):
    # Each needs about 2.5 s of CPU, half its 5 s CPU limit: whatever the batch does to the
    # machine, a verdict counts the case's own CPU time, never the wall clock.
    n = _loop_count_for(2.5)
    completion = (
        "<think>count</think><answer>```python\ndef count(n):  # copy {i}\n    total = 0\n"
        "    for _ in range(n):\n        total += 1\n    return total\n```</answer>"
    )
    reference = {"fn_name": "count", "test_cases": [{"input": [n], "output": n}]}
    # Sixteen different completions: no planning step may merge them into one run.
    items = [
        {"id": str(i), "completion": completion.format(i=i), "reference": reference}
        for i in range(16)
    ]
    response = client.post(
        "/v1/rewards", json={"recipe": "code", "items": items, "timeout_s": 600}, timeout=660
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    cpu = [r["details"]["code"]["cases"][0]["cpu_ms"] for r in results]
    assert min(cpu) > 1000, cpu  # each really ran, and really took its CPU time
    assert [r["components"]["code"] for r in results] == [1.0] * 16, [
        r["details"]["code"] for r in results if r["components"]["code"] != 1.0
    ]
