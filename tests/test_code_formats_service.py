"""The least glue: a dataset's own record as the reference (`{"format": ..., ...the record}`),
through a real `rewardd serve` with the Docker sandbox, on /v1/rewards and OpenRLHF's
/get_reward, with the task inferred."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_service

pytestmark = pytest.mark.docker

DATA = Path(__file__).parent / "data" / "code_formats"


def records(name: str) -> list[dict]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))["records"]


def completion(problem: str) -> str:
    code = (DATA / "solutions" / f"{problem}.py").read_text(encoding="utf-8")
    return f"<think>solve it</think><answer>\n```python\n{code}```\n</answer>"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from sandbox.docker_backend import docker_unavailable_reason
    from sandbox.limits import SandboxSettings

    reason = docker_unavailable_reason(SandboxSettings().image)
    if reason is not None:
        if os.environ.get("REQUIRE_DOCKER") == "1":
            pytest.fail(f"{reason} (REQUIRE_DOCKER=1)")
        pytest.skip(reason)
    log = tmp_path_factory.mktemp("formats-api") / "serve.log"
    with (
        running_service(log, REWARDD_SANDBOX="docker", REWARDD_POOL_SIZE="2") as url,
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        yield client


def test_rows_as_they_ship_are_graded(client):
    verl_truth = records("verl")[0]  # a bare verl ground truth
    openr1_row = records("openr1")[1]  # a row with verification_info
    items = [
        {
            "id": "verl",
            "completion": completion("kings_path"),
            "reference": {"format": "verl", **verl_truth},
        },
        {
            "id": "verl broken",
            "completion": completion("kings_path.broken"),
            "reference": {"format": "auto", **verl_truth},
        },
        {
            "id": "openr1",
            "completion": completion("fruit_sequences"),
            "reference": {"format": "openr1", **openr1_row},
        },
        {
            "id": "bad",
            "completion": completion("fruit_sequences"),
            "reference": {"format": "apps", "input_output": "{not json"},
        },
    ]
    response = client.post("/v1/rewards", json={"recipe": "code", "items": items})
    assert response.status_code == 200, response.text
    results = {result["id"]: result for result in response.json()["results"]}
    assert results["verl"]["components"]["code"] == 1.0, results["verl"]
    assert results["verl broken"]["components"]["code"] < 1.0
    assert results["openr1"]["components"]["code"] == 1.0, results["openr1"]
    bad = results["bad"]
    assert bad["error"]["code"] == "bad_reference" and "input_output" in bad["error"]["message"]
    assert bad["components"]["code"] is None


def test_openrlhf_label_can_be_the_ground_truth(client):
    label = json.dumps({"format": "verl", **records("verl")[3]})
    prompt = "Echo the number."
    body = {
        "query": [prompt + completion("echo_number"), prompt + completion("echo_number.broken")],
        "prompts": [prompt, prompt],
        "labels": [label, label],
    }
    response = client.post("/get_reward?recipe=code", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["extra_logs"]["code"] == [1.0, 0.0]
