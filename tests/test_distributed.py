"""Distributed mode: real Redis, real Celery workers, real `rewardd serve`."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.conftest import RedisServer, running_service, running_worker, wait_for

pytestmark = pytest.mark.redis


def batch(count: int) -> list[dict]:
    """Math items whose right grade is known by construction: even n answer right."""
    items = []
    for n in range(count):
        numerator = n if n % 2 == 0 else n + 1
        boxed = f"\\boxed{{\\frac{{{numerator}}}{{7}}}}"
        items.append(
            {
                "id": n,
                "completion": f"<think>Step 1: work.</think><answer>{boxed}</answer>",
                "reference": {"answer": f"{n}/7"},
                "lang": "en",
            }
        )
    return items


def grpo_group(prompt: str, gold: str, answers: list[str], samples: int = 4) -> list[dict]:
    """A prompt's samples: different reasoning, each of `answers` given `samples` times."""
    return [
        {
            "prompt": prompt,
            "completion": (
                f"<think>{' '.join(f'Step {k}: $y_{k} = {k * n}$.' for k in range(n + 2))}</think>"
                f"<answer>\\boxed{{{answer}}}</answer>"
            ),
            "reference": {"answer": gold},
        }
        for answer in answers
        for n in range(samples)
    ]


def math_verdicts(url: str) -> float:
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith("rewardd_math_verdicts_total "):
            return float(line.split()[1])
    raise AssertionError("no rewardd_math_verdicts_total in /metrics")


def expected_accuracy(n: int) -> float:
    return 1.0 if n % 2 == 0 else 0.0


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisServer]:
    """A Redis of the test's own, which it may stop and start; stopped after it."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def wait_ready(url: str, timeout_s: float = 60) -> None:
    wait_for(lambda: httpx.get(f"{url}/readyz").status_code == 200, timeout_s, "readiness")


@pytest.fixture(scope="module")
def cluster(redis_server, tmp_path_factory):
    """An API in distributed mode and one worker, on the session's Redis."""
    logs = tmp_path_factory.mktemp("cluster")
    env = {"REWARDD_POOL_SIZE": "2", "REWARDD_CHUNK_SIZE": "8"}
    with (
        running_worker(logs / "worker.log", redis_server.url, **env),
        running_service(logs / "api.log", REWARDD_BROKER_URL=redis_server.url, **env) as url,
    ):
        wait_ready(url)
        yield url


def test_distributed_and_embedded_give_identical_results(cluster, embedded_url):
    items = [
        *batch(40),
        {"completion": "<think>你好 world</think><answer>3</answer>", "reference": {"answer": "3"}},
        {
            "completion": "no tags at all, answer 3",
            "reference": {"answer": "3"},
            "prompt": "Сколько?",
        },
        {"completion": "<answer>\\boxed{2} or \\boxed{3}</answer>", "reference": {"answer": "3"}},
        # GRPO groups: a prompt's samples share a few final answers, across chunks.
        *grpo_group("What is $6 \\times 7$?", "42", ["42", "6 \\times 7", "43", "\\frac{84}{2}"]),
        *grpo_group(
            "Compute $1/2 + 1/3$.", "5/6", ["\\frac{5}{6}", "5/6", "2/5", "0.8\\overline{3}"]
        ),
    ]
    body = {
        "items": items,
        "weights": {
            "accuracy": 1,
            "format": 0.3,
            "language": 0.2,
            "tag_count": 0.1,
            "cosine": 0.5,
            "length": 0.2,
        },
        "params": {"cosine": {"max_len": 200}},
    }
    distributed = httpx.post(f"{cluster}/v1/rewards", json=body, timeout=60).json()
    embedded = httpx.post(f"{embedded_url}/v1/rewards", json=body, timeout=60).json()
    assert distributed["results"] == embedded["results"]
    assert [r["components"]["accuracy"] for r in distributed["results"][:40]] == [
        expected_accuracy(n) for n in range(40)
    ]


def test_a_groups_verdict_is_computed_once_across_chunks(cluster):
    # 32 samples, 4 distinct final answers: 4 chunks of 8, but 4 verdicts, not 32.
    items = grpo_group("What is $17 + 25$?", "42", ["42", "41", "\\frac{84}{2}", "x"], 8)
    before = math_verdicts(cluster)
    body = {"items": items, "weights": {"accuracy": 1, "format": 0.5}}
    results = httpx.post(f"{cluster}/v1/rewards", json=body, timeout=120).json()["results"]
    assert math_verdicts(cluster) - before == 4
    accuracy = [r["components"]["accuracy"] for r in results]
    assert accuracy == [1.0] * 8 + [0.0] * 8 + [1.0] * 8 + [0.0] * 8


def test_jobs_in_distributed_mode_are_kept_in_redis(cluster, redis_server):
    items = batch(10)
    accepted = httpx.post(f"{cluster}/v1/jobs", json={"items": items, "recipe": "r1-zero"})
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    deadline = time.monotonic() + 60
    while (job := httpx.get(f"{cluster}/v1/jobs/{job_id}").json())["status"] != "done":
        assert job["status"] in ("queued", "running") and time.monotonic() < deadline
        time.sleep(0.05)
    assert [r["components"]["accuracy"] for r in job["results"]] == [
        expected_accuracy(n) for n in range(10)
    ]
    assert redis.Redis.from_url(redis_server.url).exists(f"rewardd:job:{job_id}")


def test_readiness_names_a_missing_worker(tmp_path, private_redis):
    with running_service(tmp_path / "api2.log", REWARDD_BROKER_URL=private_redis.url) as url:
        response = httpx.get(f"{url}/readyz")
        assert response.status_code == 503
        assert "workers" in response.json()["problems"]


def test_a_worker_killed_mid_batch_loses_no_item(tmp_path, private_redis):
    env = {
        "REWARDD_POOL_SIZE": "1",
        "REWARDD_CHUNK_SIZE": "4",
        "REWARDD_VISIBILITY_TIMEOUT_S": "4",
    }
    with (
        running_worker(tmp_path / "victim.log", private_redis.url, **env) as victim,
        running_worker(tmp_path / "survivor.log", private_redis.url, **env),
        running_service(tmp_path / "api.log", REWARDD_BROKER_URL=private_redis.url, **env) as url,
    ):
        wait_ready(url)
        items = batch(600)
        with httpx.Client(timeout=120) as client:
            outcome: dict = {}

            def post() -> None:
                outcome["response"] = client.post(
                    f"{url}/v1/rewards",
                    json={"items": items, "recipe": "r1-zero", "timeout_s": 90},
                )

            poster = threading.Thread(target=post)
            poster.start()
            wait_for(lambda: "received" in (tmp_path / "victim.log").read_text(), 30, "work")
            os.killpg(victim.pid, signal.SIGKILL)
            poster.join(timeout=120)
        response = outcome["response"]
        assert response.status_code == 200
        results = response.json()["results"]
        assert len(results) == len(items)
        graded = 0
        for n, result in enumerate(results):
            assert result["id"] == n
            if result["error"] is None:
                graded += 1
                assert result["components"]["accuracy"] == expected_accuracy(n)
            else:  # allowed, but never a silent or invented score
                assert result["components"]["accuracy"] is None
        # Redelivery must bring the killed worker's chunks back, not leave them to time out.
        assert graded == len(items)


def test_a_chunk_a_dying_worker_took_off_the_queue_is_published_again(tmp_path, private_redis):
    """kombu takes a chunk off the queue (BRPOP) before it records it as unacknowledged: a
    worker killed in between leaves the chunk nowhere (celery/kombu#305). The test takes a
    chunk off the queue itself, as that worker's BRPOP would, before any worker is up."""
    env = {"REWARDD_POOL_SIZE": "1", "REWARDD_CHUNK_SIZE": "4"}
    with running_service(tmp_path / "api.log", REWARDD_BROKER_URL=private_redis.url, **env) as url:
        items = batch(40)
        outcome: dict = {}

        def post() -> None:
            outcome["response"] = httpx.post(
                f"{url}/v1/rewards", json={"items": items, "timeout_s": 60}, timeout=90
            )

        poster = threading.Thread(target=post)
        poster.start()
        broker = redis.Redis.from_url(private_redis.url)
        wait_for(lambda: broker.llen("rewardd") == 10, 30, "the batch's 10 chunks queued")
        assert broker.rpop("rewardd")  # the first chunk published, as a BRPOP takes it
        with running_worker(tmp_path / "worker.log", private_redis.url, **env):
            poster.join(timeout=90)
        response = outcome["response"]
        assert response.status_code == 200
        results = response.json()["results"]
        graded = [r["components"]["accuracy"] for r in results]
        assert graded == [expected_accuracy(n) for n in range(len(items))], results[:4]
        republished = [
            line
            for line in httpx.get(f"{url}/metrics").text.splitlines()
            if line.startswith("rewardd_chunks_republished_total ")
        ]
        assert republished == ["rewardd_chunks_republished_total 1.0"]


def test_a_chunk_a_live_worker_holds_past_the_visibility_timeout_runs_once(tmp_path, private_redis):
    """Chunks wait in a busy worker's reserve for longer than the visibility timeout: the
    worker's renewed leases keep kombu's sweep from handing them out a second time."""
    env = {
        "REWARDD_POOL_SIZE": "1",
        "REWARDD_CODE_THREADS": "1",
        "REWARDD_CHUNK_SIZE": "1",
        "REWARDD_VISIBILITY_TIMEOUT_S": "2",
        "REWARDD_SANDBOX": "local",
    }
    # Distinct code per item (identical items are graded once); each runs about 1 s.
    program = "import time\ntime.sleep(1)\nprint(1)"
    items = [
        {
            "id": n,
            "completion": f"<answer>```python\n{program}  # {n}\n```</answer>",
            "reference": {"test_cases": [{"input": "", "output": "1"}]},
        }
        for n in range(8)
    ]
    with (
        running_worker(tmp_path / "worker.log", private_redis.url, **env),
        running_service(tmp_path / "api.log", REWARDD_BROKER_URL=private_redis.url, **env) as url,
    ):
        wait_ready(url)
        response = httpx.post(
            f"{url}/v1/rewards",
            json={"items": items, "recipe": "code", "timeout_s": 60},
            timeout=90,
        )
        assert response.status_code == 200
        assert [r["components"]["code"] for r in response.json()["results"]] == [1.0] * 8
    received = re.findall(
        r"grade_chunk\[([0-9a-f-]+)\] received", (tmp_path / "worker.log").read_text()
    )
    assert len(received) == 8 and len(set(received)) == 8, received


def test_broker_down_is_a_fast_503_and_recovers_without_restart(tmp_path, private_redis):
    body = {"items": [{"completion": "<answer>1</answer>", "reference": {"answer": "1"}}]}
    with (
        running_worker(tmp_path / "worker.log", private_redis.url),
        running_service(tmp_path / "api.log", REWARDD_BROKER_URL=private_redis.url) as url,
    ):
        wait_ready(url)
        assert httpx.post(f"{url}/v1/rewards", json=body, timeout=30).status_code == 200
        private_redis.stop()
        # A fresh item: an identical one may be answered from the result cache.
        fresh = {"items": [{"completion": "<answer>2</answer>", "reference": {"answer": "2"}}]}
        started = time.monotonic()
        response = httpx.post(f"{url}/v1/rewards", json=fresh, timeout=30)
        assert time.monotonic() - started < 1.0
        assert response.status_code == 503
        assert response.headers["retry-after"]
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 503 and "broker" in ready.json()["problems"]
        private_redis.start()  # same port: the service must find it again by itself
        wait_ready(url, timeout_s=60)
        response = httpx.post(f"{url}/v1/rewards", json=body, timeout=30)
        assert response.status_code == 200
        assert response.json()["results"][0]["components"]["accuracy"] == 1.0
