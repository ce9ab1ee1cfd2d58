"""The killable pool: hard deadlines, crashes and respawns, with real processes."""

from __future__ import annotations

import time

import pytest

from rewardd.execution.pool import KillablePool, TaskTimeout, WorkerCrashed


@pytest.fixture(scope="module")
def pool():
    pool = KillablePool("tests.pool_targets:run", size=2)
    yield pool
    pool.close()


def test_results_come_back_for_every_task(pool):
    futures = [pool.submit({"action": "echo", "value": i}, timeout_s=5) for i in range(200)]
    assert [f.result(timeout=30) for f in futures] == list(range(200))


def test_a_hang_is_killed_at_its_deadline_and_the_rest_still_runs(pool):
    started = time.monotonic()
    hang = pool.submit({"action": "sleep", "seconds": 60}, timeout_s=1.0)
    others = [pool.submit({"action": "echo", "value": i}, timeout_s=5) for i in range(20)]
    assert [f.result(timeout=10) for f in others] == list(range(20))
    with pytest.raises(TaskTimeout):
        hang.result(timeout=10)
    assert time.monotonic() - started < 5
    assert pool.alive() == 2


def test_a_c_level_spin_that_ignores_signals_is_killed(pool):
    kills = pool.kills
    spin = pool.submit({"action": "spin"}, timeout_s=0.5)
    with pytest.raises(TaskTimeout):
        spin.result(timeout=10)
    assert pool.kills == kills + 1
    assert pool.submit({"action": "echo", "value": "after"}, 5).result(timeout=10) == "after"


def test_a_crash_is_retried_once_then_reported(pool):
    with pytest.raises(WorkerCrashed):
        pool.submit({"action": "die"}, timeout_s=5).result(timeout=20)
    assert pool.alive() == 2
    assert pool.submit({"action": "echo", "value": 1}, 5).result(timeout=10) == 1


def test_a_task_exception_is_reported_without_killing_the_worker(pool):
    pid_before = {pool.submit({"action": "pid"}, 5).result(timeout=10) for _ in range(10)}
    with pytest.raises(RuntimeError, match="bad payload"):
        pool.submit({"action": "raise"}, timeout_s=5).result(timeout=10)
    pid_after = {pool.submit({"action": "pid"}, 5).result(timeout=10) for _ in range(10)}
    assert pid_after <= pid_before | pid_after and pid_after & pid_before


def test_queued_tasks_past_the_request_deadline_time_out_without_running(pool):
    # Two workers, two tasks ahead each: four blockers keep the fifth task in the queue.
    blockers = [pool.submit({"action": "sleep", "seconds": 1}, timeout_s=5) for _ in range(4)]
    late = pool.submit({"action": "echo", "value": 1}, 5, deadline=time.monotonic() + 0.3)
    with pytest.raises(TaskTimeout):
        late.result(timeout=10)
    assert [b.result(timeout=10) for b in blockers] == ["slept"] * 4
