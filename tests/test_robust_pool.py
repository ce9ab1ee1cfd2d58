"""The killable pool's calls back into the parent, with real worker processes.

The tasks below run in the pool's workers (which import this module by name).
"""

from __future__ import annotations

import threading
import time

import pytest

from rewardd.execution.pool import (
    DeadlinePassed,
    KillablePool,
    TaskTimeout,
    call_parent,
)


def run(payload: dict) -> object:
    action = payload["action"]
    if action == "echo":
        return payload["value"]
    if action == "ask":
        return [call_parent("double", n) for n in payload["values"]]
    if action == "ask_slow":
        return call_parent("slow", payload["seconds"])
    if action == "ask_big":  # a call and a result each larger than a pipe's buffer
        return call_parent("echo", payload["blob"])
    if action == "ask_unknown":
        return call_parent("nothing", 1)
    if action == "ask_refused":
        return call_parent("refuse", 1)
    raise AssertionError(action)


class Services:
    def __init__(self) -> None:
        self.deadlines: list[float] = []
        self.slow_running = threading.Event()
        self.slow_done = threading.Event()

    def echo(self, value: object, deadline: float) -> object:
        return value

    def double(self, n: int, deadline: float) -> int:
        self.deadlines.append(deadline)
        return 2 * n

    def slow(self, seconds: float, deadline: float) -> str:
        self.slow_running.set()
        if deadline - time.monotonic() < seconds:
            # What the sandbox service does: a job that cannot end in time is not a verdict.
            time.sleep(max(0.0, deadline - time.monotonic()))
            self.slow_done.set()
            raise DeadlinePassed("cut at the deadline")
        time.sleep(seconds)
        self.slow_done.set()
        return "done"

    def refuse(self, value: int, deadline: float) -> int:
        raise ValueError("not allowed")


@pytest.fixture
def services() -> Services:
    return Services()


@pytest.fixture
def pool(services):
    pool = KillablePool(
        "tests.test_robust_pool:run",
        size=2,
        services={
            "double": services.double,
            "slow": services.slow,
            "refuse": services.refuse,
            "echo": services.echo,
        },
    )
    yield pool
    pool.close()


def test_a_task_calls_the_parent_and_gets_its_answers(pool, services):
    deadline = time.monotonic() + 30
    futures = [pool.submit({"action": "ask", "values": [n, n + 1]}, 10, deadline) for n in range(6)]
    assert [f.result(timeout=30) for f in futures] == [[2 * n, 2 * n + 2] for n in range(6)]
    assert set(services.deadlines) == {deadline}  # the task's own deadline travels with it


def test_tasks_queued_behind_a_call_still_run_in_order(pool):
    # Two tasks go to each worker ahead of time; one arrives while the worker awaits a reply.
    futures = [pool.submit({"action": "ask", "values": [n]}, 10) for n in range(8)]
    futures += [pool.submit({"action": "echo", "value": n}, 10) for n in range(8)]
    results = [f.result(timeout=30) for f in futures]
    assert results == [[2 * n] for n in range(8)] + list(range(8))


def test_large_tasks_calls_and_results_never_deadlock_the_pipe(pool):
    """A sandbox job carries its whole reference (hundreds of KB of test input): the parent
    sending a task ahead while the worker sends a call or a result, both larger than the
    socket's buffer, must not leave both ends blocked writing (a request hung for minutes)."""
    blobs = [bytes([n]) * (2 << 20) for n in range(8)]
    futures = [pool.submit({"action": "ask_big", "blob": blob}, 60) for blob in blobs]
    assert [f.result(timeout=60) for f in futures] == blobs


def test_a_service_error_comes_back_to_the_task_as_its_type(pool):
    with pytest.raises(RuntimeError, match="ValueError: not allowed"):
        pool.submit({"action": "ask_refused"}, 10).result(timeout=30)
    with pytest.raises(RuntimeError, match="no service 'nothing'"):
        pool.submit({"action": "ask_unknown"}, 10).result(timeout=30)


def test_a_deadline_passed_in_a_call_times_the_task_out(pool, services):
    started = time.monotonic()
    future = pool.submit({"action": "ask_slow", "seconds": 30}, 60, deadline=started + 3.0)
    assert services.slow_running.wait(10)  # the call reached the parent before the deadline
    with pytest.raises(TaskTimeout):
        future.result(timeout=30)
    assert time.monotonic() - started < 8
    assert services.slow_done.wait(5)
    assert pool.alive() == 2
    assert pool.submit({"action": "echo", "value": "next"}, 10).result(timeout=30) == "next"


def test_a_call_still_running_after_its_task_was_killed_counts_as_in_flight(pool, services):
    # The task's own limit (2 s) kills it; the parent's call runs on to its 4 s.
    future = pool.submit({"action": "ask_slow", "seconds": 4.0}, 2.0)
    assert services.slow_running.wait(10)
    with pytest.raises(TaskTimeout):
        future.result(timeout=10)
    assert not services.slow_done.is_set()
    assert pool.in_flight() >= 1  # abandoned work still occupies this host
    assert services.slow_done.wait(10)
    deadline = time.monotonic() + 5
    while pool.in_flight() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pool.in_flight() == 0
    # Its late answer went nowhere: the replacement worker serves new tasks correctly.
    assert pool.submit({"action": "ask", "values": [21]}, 10).result(timeout=30) == [42]


def test_call_parent_outside_a_pool_says_so():
    with pytest.raises(RuntimeError, match="only inside a KillablePool task"):
        call_parent("double", 1)


def test_a_payload_that_cannot_be_pickled_fails_its_task_only(pool):
    deep: list = []
    for _ in range(100_000):  # past the pickler's recursion limit
        deep = [deep]
    bad = pool.submit({"action": "echo", "value": deep}, 10)
    good = pool.submit({"action": "echo", "value": "fine"}, 10)
    with pytest.raises(RuntimeError, match="cannot be sent"):
        bad.result(timeout=30)
    assert good.result(timeout=30) == "fine"
    assert pool.alive() == 2
