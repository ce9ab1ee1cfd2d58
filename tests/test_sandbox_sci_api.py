"""Issue 13's reference keys through a real `rewardd serve` with the Docker sandbox: `image` on
/v1/execute and on /v1/rewards, with a `preamble` and a `checker` in the same reference."""

from __future__ import annotations

import os

import httpx
import pytest

from tests.conftest import running_service

pytestmark = pytest.mark.docker

# Any order of the input's numbers sorted either way is valid: only a checker can say so.
CHECKER = (
    "import sys\n"
    "got = [int(x) for x in open(sys.argv[2]).read().split()]\n"
    "numbers = sorted(int(x) for x in open(sys.argv[1]).read().split())\n"
    "sys.exit(0 if got in (numbers, numbers[::-1]) else 1)\n"
)
REFERENCE = {
    "test_cases": [
        {"input": "3 1 2\n", "output": "1 2 3\n"},
        {"input": "9 7\n", "output": "7 9\n"},
    ],
    "preamble": "import numpy as np",
    "checker": CHECKER,
    "image": "sci",
}


def completion(code: str) -> str:
    return f"<think>sort</think><answer>```python\n{code}\n```</answer>"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from sandbox.docker_backend import docker_unavailable_reason
    from sandbox.limits import SandboxSettings

    settings = SandboxSettings.from_env()
    for image in (settings.image, settings.sci_image):
        reason = docker_unavailable_reason(image)
        if reason is not None:
            if os.environ.get("REQUIRE_DOCKER") == "1":
                pytest.fail(f"{reason} (REQUIRE_DOCKER=1)")
            pytest.skip(reason)
    log = tmp_path_factory.mktemp("sci-api") / "serve.log"
    with (
        running_service(log, REWARDD_SANDBOX="docker", REWARDD_POOL_SIZE="2") as url,
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        yield client


def test_execute_takes_the_image(client):
    code = "import numpy as np\nprint(int(np.arange(5).sum()))"
    sci = client.post("/v1/execute", json={"code": code, "image": "sci"}).json()
    assert (sci["status"], sci["stdout"]) == ("ok", "10\n"), sci
    lean = client.post("/v1/execute", json={"code": code}).json()
    assert lean["status"] == "error" and "numpy" in lean["stderr"]
    refused = client.post("/v1/execute", json={"code": code, "image": "gpu"})
    assert refused.status_code == 422
    assert "image" in str(refused.json()["detail"][0]["loc"])


def test_a_reference_with_image_preamble_and_checker(client):
    descending = "print(*np.sort(np.array(input().split(), dtype=int))[::-1])"
    one_short = "print(*np.sort(np.array(input().split(), dtype=int))[1:])"
    items = [
        {"completion": completion(code), "task": "code", "reference": REFERENCE}
        for code in (descending, one_short)
    ]
    items.append({**items[0], "reference": {**REFERENCE, "image": "gpu"}})
    response = client.post("/v1/rewards", json={"items": items, "recipe": "code"})
    assert response.status_code == 200, response.text
    right, wrong, bad = response.json()["results"]
    assert right["error"] is None and right["components"]["code"] == 1.0, right
    assert wrong["error"] is None and wrong["components"]["code"] == 0.0, wrong
    assert bad["error"]["code"] == "bad_reference" and "image" in bad["error"]["message"]
