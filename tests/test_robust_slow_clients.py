"""Slow clients against a real `rewardd serve` on 127.0.0.1, over raw sockets.

A client that sends a byte every 2 s must not hold a connection (and a slot under the
connection cap) for as long as it likes: slow bodies get a 408, slow headers are closed.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_service, wait_for

READ_TIMEOUT_S = 3
MAX_CONNECTIONS = 6
DRIP_EVERY_S = 2.0
# The longest a slow client may live: its deadline, one drip late, and a loaded machine.
CUT_WITHIN_S = 2 * READ_TIMEOUT_S + DRIP_EVERY_S + 4


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, int, Path]]:
    log = tmp_path_factory.mktemp("slow") / "serve.log"
    env = {
        "REWARDD_BODY_READ_TIMEOUT_S": str(READ_TIMEOUT_S),
        "REWARDD_HEADER_TIMEOUT_S": str(READ_TIMEOUT_S),
        "REWARDD_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        "REWARDD_KEEP_ALIVE_S": "2",
        "REWARDD_POOL_SIZE": "1",
        "REWARDD_CODE_THREADS": "1",
        "REWARDD_SANDBOX": "local",
    }
    with running_service(log, **env) as url:
        yield url, int(url.rsplit(":", 1)[1]), log


@dataclass
class SlowClient:
    """Sends `head`, then `drip` every DRIP_EVERY_S until the server answers or hangs up."""

    port: int
    head: bytes
    drip: bytes
    reply: bytes = b""
    lived_s: float = 0.0
    started: float = float("inf")
    sent_head: threading.Event = field(default_factory=threading.Event)

    def run(self) -> SlowClient:
        self.started = started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(self.head)
            self.sent_head.set()
            sock.settimeout(DRIP_EVERY_S)
            while time.monotonic() - started < 120:  # the test's own backstop
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    try:
                        sock.sendall(self.drip)
                    except OSError:
                        break  # the server closed the connection
                    continue
                except OSError:
                    break  # reset by the server
                if not data:
                    break  # the server closed the connection
                self.reply += data
        self.lived_s = time.monotonic() - started
        return self

    @property
    def status(self) -> int | None:
        if not self.reply.startswith(b"HTTP/1.1 "):
            return None
        return int(self.reply.split(b" ", 2)[1])


def slow_body(port: int, request_id: str = "") -> SlowClient:
    head = (
        b"POST /v1/rewards HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (f"X-Request-ID: {request_id}\r\n".encode() if request_id else b"")
        + b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
    )
    return SlowClient(port, head, b" ")


def test_a_body_dripping_a_byte_every_2_s_gets_a_408_and_is_closed(server):
    _, port, log = server
    client = slow_body(port, request_id="slow-body-7").run()
    assert client.status == 408, client.reply[:300]
    assert b"did not arrive within" in client.reply
    assert client.lived_s < CUT_WITHIN_S, client.lived_s
    # Every log line made while serving a request carries its id, not only the access log.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line[:1] == "{"]
    mine = [line for line in lines if line.get("request_id") == "slow-body-7"]
    assert {line["logger"] for line in mine} >= {"rewardd.access"}, mine
    assert any("not received" in line["msg"] for line in mine), mine


def test_a_chunked_body_dripping_slowly_gets_a_408(server):
    _, port, _ = server
    head = (
        b"POST /get_reward HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n"
    )
    client = SlowClient(port, head, b"1\r\n \r\n").run()
    assert client.status == 408, client.reply[:300]
    assert client.lived_s < CUT_WITHIN_S, client.lived_s


def test_headers_dripping_a_byte_every_2_s_are_closed(server):
    _, port, _ = server
    client = SlowClient(
        port, b"POST /v1/rewards HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", b"a"
    ).run()
    assert client.lived_s < CUT_WITHIN_S, client.lived_s


def test_an_idle_keep_alive_connection_is_closed(server):
    _, port, _ = server
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    client = SlowClient(port, request, b"").run()  # an empty drip sends nothing
    assert client.status == 200
    assert client.lived_s < CUT_WITHIN_S, client.lived_s


def test_slow_clients_hold_at_most_the_connection_cap_and_only_until_their_deadline(server):
    url, port, _ = server
    clients = [slow_body(port) for _ in range(MAX_CONNECTIONS + 3)]
    threads = [threading.Thread(target=client.run) for client in clients]
    for thread in threads:
        thread.start()
    for client in clients:
        assert client.sent_head.wait(10)
    # Over the cap: an immediate 503, not a connection that hangs or a process that grows.
    # Asked until the server has taken every slow client in (a loaded machine may take a
    # while) and while none is past its deadline: a 200 all along means no cap.
    first_started = min(client.started for client in clients)
    replies = [httpx.get(f"{url}/healthz", timeout=10).status_code]
    while replies[-1] != 503 and time.monotonic() - first_started < READ_TIMEOUT_S:
        time.sleep(0.1)
        replies.append(httpx.get(f"{url}/healthz", timeout=10).status_code)
    assert replies[-1:] == [503], replies
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(client.status or 0 for client in clients)
    assert set(statuses) <= {408, 503}, [c.reply[:80] for c in clients]
    assert 0 < statuses.count(408) <= MAX_CONNECTIONS, statuses
    assert max(client.lived_s for client in clients) < CUT_WITHIN_S
    wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200, 10, "healthz after")


def test_an_honest_client_is_unaffected(server):
    url, _, _ = server
    item = {"completion": "<answer>\\boxed{3}</answer>", "reference": {"answer": "3"}}
    response = httpx.post(f"{url}/v1/rewards", json={"items": [item]}, timeout=60)
    assert response.status_code == 200
    assert response.json()["results"][0]["components"]["accuracy"] == 1.0
