"""A request's deadline ends its work: nothing is left running for the next request to wait on.

Against a real `rewardd serve` (embedded mode) with the real sandbox.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

CASES = {"test_cases": [{"input": "", "output": "1"}]}


def code_item(body: str, item_id: str) -> dict:
    return {
        "id": item_id,
        "completion": f"<answer>```python\n{body}\n```</answer>",
        "reference": CASES,
    }


HONEST = "print(1)"


def sleeper(n: int) -> str:
    # Distinct code per item: identical items would be graded once for the whole request.
    return f"import time\ntime.sleep(40)  # sleeper {n}\nprint(1)"


@pytest.fixture(scope="module")
def client(embedded_url):
    with httpx.Client(base_url=embedded_url, timeout=120) as client:
        yield client


def grade(client, items, timeout_s, recipe="code"):
    response = client.post(
        "/v1/rewards", json={"items": items, "recipe": recipe, "timeout_s": timeout_s}
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_a_timed_out_request_leaves_no_work_behind(client):
    # Warm the sandbox, so that the timings below measure the deadline, not container starts.
    (warm,) = grade(client, [code_item(HONEST, "warm")], timeout_s=60)
    assert warm["components"]["code"] == 1.0, warm

    sleepers = [code_item(sleeper(n), f"sleeper-{n}") for n in range(8)]
    started = time.monotonic()
    results = grade(client, sleepers, timeout_s=2)
    elapsed = time.monotonic() - started
    assert elapsed < 4.5, elapsed  # the budget, plus the 1 s grace of the batch wait
    for result in results:
        assert result["error"]["code"] == "timeout", result
        assert result["components"]["code"] is None  # never an invented 0 for a cut job

    # Before the fix the 8 abandoned jobs kept the sandbox busy for ~26 s and this request
    # timed out; now the sandbox is free again once the deadline has passed.
    started = time.monotonic()
    (honest,) = grade(client, [code_item(HONEST + "  # next", "next")], timeout_s=30)
    next_s = time.monotonic() - started
    print(f"8 sleepers, timeout_s=2: answered in {elapsed:.2f} s; next request {next_s:.2f} s")
    assert honest["error"] is None, honest
    assert honest["components"]["code"] == 1.0
    # The cut jobs got the request's own deadline as a hard wall limit (wall_limit_s), so
    # they do not hold their slots until the sandbox's generous backstop (3 x budget + 5 s).
    assert next_s < 5, next_s
