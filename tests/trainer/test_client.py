"""RewardClient against a small scripted HTTP server on 127.0.0.1 (retries, batching, None)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from trainer_client.client import (
    RetryPolicy,
    RewardClient,
    RewardServiceError,
    parse_result,
)

Reply = tuple[int, dict[str, str], Any]  # status, headers, JSON body


def graded(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A well-formed /v1/rewards answer: reward = len(completion)."""
    results = [
        {
            "id": item.get("id"),
            "reward": float(len(item["completion"])),
            "components": {"accuracy": 1.0},
            "details": {},
            "error": None,
        }
        for item in items
    ]
    return {"results": results, "recipe": {"name": "r1", "weights": {}}, "elapsed_ms": 1.0}


@dataclass
class ScriptedServer:
    """Answers the n-th request with script[n] (the last entry repeats); records the bodies."""

    script: list[Callable[[dict[str, Any]], Reply]]
    bodies: list[dict[str, Any]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    url: str = ""

    def reply(self, body: dict[str, Any]) -> Reply:
        self.bodies.append(body)
        self.times.append(time.monotonic())
        return self.script[min(len(self.bodies) - 1, len(self.script) - 1)](body)


@pytest.fixture
def serve() -> Iterator[Callable[..., ScriptedServer]]:
    servers: list[ThreadingHTTPServer] = []

    def start(*script: Callable[[dict[str, Any]], Reply]) -> ScriptedServer:
        scripted = ScriptedServer(list(script))

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, headers, payload = scripted.reply(body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        scripted.url = f"http://127.0.0.1:{server.server_address[1]}"
        return scripted

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def ok(body: dict[str, Any]) -> Reply:
    return 200, {}, graded(body["items"])


def overloaded(retry_after: str) -> Callable[[dict[str, Any]], Reply]:
    return lambda body: (503, {"Retry-After": retry_after}, {"detail": "overloaded"})


FAST = RetryPolicy(max_retries=3, base_s=0.01, max_wait_s=2.0)
ITEMS = [{"completion": "a" * n, "reference": {"answer": "1"}} for n in range(1, 6)]


def test_results_come_back_in_order_with_the_request_shape(serve: Any) -> None:
    server = serve(ok)
    client = RewardClient(server.url, retry=FAST)
    results = client.grade(ITEMS, recipe="r1-zero", weights={"accuracy": 1.0}, timeout_s=7)
    assert [r.reward for r in results] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert server.bodies[0]["weights"] == {"accuracy": 1.0}
    assert server.bodies[0]["recipe"] == "r1-zero"
    assert server.bodies[0]["timeout_s"] == 7


def test_a_503_is_retried_after_the_servers_retry_after(serve: Any) -> None:
    server = serve(overloaded("1"), ok)
    rewards = RewardClient(server.url, retry=FAST).rewards(ITEMS)
    assert rewards == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert len(server.bodies) == 2
    assert server.times[1] - server.times[0] >= 0.9  # waited as told, not the 10 ms backoff


def test_5xx_errors_are_retried_until_success(serve: Any) -> None:
    failing = lambda body: (502, {}, {"detail": "bad gateway"})  # noqa: E731
    server = serve(failing, failing, ok)
    assert RewardClient(server.url, retry=FAST).rewards(ITEMS[:1]) == [1.0]
    assert len(server.bodies) == 3


def test_gives_up_after_max_retries_with_a_clear_error(serve: Any) -> None:
    server = serve(overloaded("0"))
    with pytest.raises(RewardServiceError, match="unavailable after 4 attempts"):
        RewardClient(server.url, retry=FAST).grade(ITEMS)
    assert len(server.bodies) == 4


def test_a_4xx_is_not_retried(serve: Any) -> None:
    server = serve(lambda body: (422, {}, {"detail": [{"loc": ["items"], "msg": "bad"}]}))
    with pytest.raises(RewardServiceError) as refused:
        RewardClient(server.url, retry=FAST).grade(ITEMS)
    assert refused.value.status_code == 422
    assert len(server.bodies) == 1


def test_connection_errors_are_retried_then_reported() -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = RewardClient(f"http://127.0.0.1:{port}", retry=FAST)
    with pytest.raises(RewardServiceError, match="ConnectError"):
        client.grade(ITEMS)


def test_large_requests_are_split_into_batches(serve: Any) -> None:
    server = serve(ok)
    items = [{"completion": "x" * (1 + n % 7)} for n in range(10)]
    results = RewardClient(server.url, batch_size=4, retry=FAST).grade(items)
    assert [len(body["items"]) for body in server.bodies] == [4, 4, 2]
    assert [r.reward for r in results] == [float(1 + n % 7) for n in range(10)]


def test_more_than_4096_items_are_split_at_the_service_limit(serve: Any) -> None:
    server = serve(ok)
    items = [{"completion": "x"}] * 5000
    assert len(RewardClient(server.url, retry=FAST).grade(items)) == 5000
    assert [len(body["items"]) for body in server.bodies] == [4096, 904]


def test_ungraded_items_become_none_never_zero(serve: Any) -> None:
    def mixed(body: dict[str, Any]) -> Reply:
        payload = graded(body["items"])
        payload["results"][1].update(
            reward=None, components={"accuracy": None}, error={"code": "timeout", "message": "x"}
        )
        payload["results"][2].update(reward=None, components={"accuracy": None})
        # An error must win over a reward that came along with it.
        payload["results"][3]["error"] = {"code": "internal", "message": "y"}
        return 200, {}, payload

    server = serve(mixed)
    results = RewardClient(server.url, retry=FAST).grade(ITEMS)
    assert [r.reward for r in results] == [1.0, None, None, None, 5.0]
    assert results[1].error == {"code": "timeout", "message": "x"}
    assert not results[2].graded


def test_a_result_count_mismatch_is_an_error(serve: Any) -> None:
    server = serve(lambda body: (200, {}, graded(body["items"][:-1])))
    with pytest.raises(RewardServiceError, match="4 results for 5 items"):
        RewardClient(server.url, retry=FAST).grade(ITEMS)


def test_the_url_comes_from_rewardd_url(monkeypatch: pytest.MonkeyPatch, serve: Any) -> None:
    server = serve(ok)
    monkeypatch.setenv("REWARDD_URL", server.url + "/")
    client = RewardClient(retry=FAST)
    assert client.url == server.url
    assert client.rewards(ITEMS[:2]) == [1.0, 2.0]


async def test_async_grading_retries_and_splits(serve: Any) -> None:
    server = serve(overloaded("0"), ok)
    items = [{"completion": "x" * n} for n in range(1, 8)]
    async with RewardClient(server.url, batch_size=3, retry=FAST) as client:
        rewards = await client.arewards(items)
    assert rewards == [float(n) for n in range(1, 8)]
    assert len(server.bodies) == 4  # three batches, one of them retried


def test_parse_result_reads_components() -> None:
    result = parse_result(
        {"id": "7", "reward": 1.3, "components": {"accuracy": 1.0, "language": None}}
    )
    assert result.id == "7"
    assert result.component("accuracy") == 1.0
    assert result.component("language") is None
    assert result.component("missing") is None


def test_a_module_level_client_leaves_no_open_socket_at_exit(rewardd_url: str) -> None:
    """TRL reward functions share one client that nobody closes: exit must not warn."""
    import subprocess
    import sys

    from tests.trainer.conftest import subprocess_env

    program = (
        "from trainer_client import rewards\n"
        f"rewards.configure({rewardd_url!r})\n"
        "assert rewards.format_reward(['<think>a</think><answer>b</answer>']) == [1.0]\n"
    )
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "always::ResourceWarning", "-c", program],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr


@pytest.mark.asyncio
async def test_the_async_client_follows_the_running_event_loop(rewardd_url: str) -> None:
    """verl's reward workers and asyncio.run() per call use several loops in turn."""
    import asyncio

    client = RewardClient(rewardd_url)
    item = [{"completion": "<think>a</think><answer>b</answer>"}]
    first = await client.agrade(item, weights={"format": 1.0})
    other_loop = await asyncio.to_thread(
        lambda: asyncio.run(client.agrade(item, weights={"format": 1.0}))
    )
    assert first[0].reward == other_loop[0].reward == 1.0
    await client.aclose()
