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


def test_work_whose_deadline_passed_while_waiting_is_never_started(client):
    from sandbox.limits import SandboxSettings

    slots = SandboxSettings.from_env().pool_size  # sandbox jobs at once on this host
    sleepers = [code_item(sleeper(100 + n), f"s{n}") for n in range(slots + 6)]
    before = _sandbox_jobs(client.get("/metrics").text)
    results = grade(client, sleepers, timeout_s=1.5)
    assert {r["error"]["code"] for r in results} == {"timeout"}
    time.sleep(3)  # let the jobs that did start end (at the deadline) and be counted
    started_jobs = _sandbox_jobs(client.get("/metrics").text) - before
    print(f"{len(sleepers)} sleepers, timeout_s=1.5: {started_jobs:g} sandbox jobs started")
    assert started_jobs <= slots, (started_jobs, slots)


def _sandbox_jobs(metrics_text: str) -> float:
    return sum(
        float(line.split()[-1])
        for line in metrics_text.splitlines()
        if line.startswith("rewardd_sandbox_executions_total{")
    )


def test_requests_waiting_on_slow_work_do_not_hold_up_other_requests(embedded_url):
    """Ten requests waiting on sleeping code must not starve the short work of the eleventh
    (hashing its items, /readyz), which once ran on the same few threads as their waits."""
    cached = {"completion": "<answer>\\boxed{17}</answer>", "reference": {"answer": "17"}}
    with httpx.Client(base_url=embedded_url, timeout=120) as client:
        grade(client, [cached], timeout_s=30, recipe="r1-zero")  # now in the result cache

        def wait_on_sleeper(n: int) -> None:
            with httpx.Client(base_url=embedded_url, timeout=120) as waiter:
                grade(waiter, [code_item(sleeper(200 + n), f"w{n}")], timeout_s=8)

        waiters = [threading.Thread(target=wait_on_sleeper, args=(n,)) for n in range(10)]
        for waiter in waiters:
            waiter.start()
        time.sleep(1.5)  # all ten are waiting now
        started = time.monotonic()
        (result,) = grade(client, [cached], timeout_s=30, recipe="r1-zero")
        cached_s = time.monotonic() - started
        started = time.monotonic()
        ready = client.get("/readyz")
        ready_s = time.monotonic() - started
        still_waiting = sum(waiter.is_alive() for waiter in waiters)
        for waiter in waiters:
            waiter.join()
    assert result["components"]["accuracy"] == 1.0
    assert ready.status_code == 200, ready.text
    assert cached_s < 2 and ready_s < 2, (cached_s, ready_s)
    assert still_waiting == 10  # measured while all ten were in flight
