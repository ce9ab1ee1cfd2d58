"""CPU-time budgets: they count the work's own CPU time, and a spent one is an explicit,
uncached timeout, never a score."""

from __future__ import annotations

import threading
import time

import pytest

from rewardd.rewards import math_accuracy as module
from rewardd.rewards.math_budget import OutOfCpuTime, cpu_budget
from rewardd.rewards.types import GradingInput

POWER_TOWER = r"<answer>\boxed{5^{5^{5^{5^5}}}}</answer>"


def burn_cpu(seconds: float) -> None:
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass


def test_a_budget_stops_work_after_its_cpu_time() -> None:
    started = time.process_time()
    with pytest.raises(OutOfCpuTime), cpu_budget(0.2):
        burn_cpu(5.0)
    assert 0.15 <= time.process_time() - started < 1.0


def test_waiting_does_not_spend_a_budget() -> None:
    # Wall-clock time passes (as it does on a loaded machine), CPU time barely: no timeout.
    with cpu_budget(0.2):
        time.sleep(0.6)
        burn_cpu(0.05)


def test_an_inner_budget_cannot_extend_the_outer_one() -> None:
    started = time.process_time()
    with pytest.raises(OutOfCpuTime), cpu_budget(0.2), cpu_budget(10.0):
        burn_cpu(5.0)
    assert time.process_time() - started < 1.0


def test_the_timer_and_handler_are_restored_afterwards() -> None:
    import signal

    before = signal.getsignal(signal.SIGPROF)
    with cpu_budget(1.0):
        pass
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) is before


def test_outside_the_main_thread_there_is_no_budget() -> None:
    finished: list[bool] = []

    def work() -> None:
        with cpu_budget(0.05):
            burn_cpu(0.3)
        finished.append(True)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=30)
    assert finished == [True]


def grade(gold: str, completion: str):
    return module.math_accuracy(GradingInput(completion=completion, reference={"answer": gold}))


def test_a_spent_budget_is_a_timeout_error_that_is_never_cached() -> None:
    before = module._judge_cached.cache_info()
    first = grade("5", POWER_TOWER)
    second = grade("5", POWER_TOWER)
    after = module._judge_cached.cache_info()
    for score in (first, second):
        assert score.value is None
        assert score.error is not None and score.error.code == "timeout"
        assert score.details["verdict"] == "timeout"
    # Both were graded (misses), and neither verdict was stored.
    assert after.misses - before.misses == 2
    assert after.currsize == before.currsize


def test_a_gold_that_runs_out_of_time_is_a_timeout_and_is_not_cached(monkeypatch) -> None:
    gold = "+".join(f"{i}x^{{{i}}}" for i in range(1, 120))  # about a second to parse
    monkeypatch.setattr(module, "GOLD_CPU_BUDGET_S", 0.05)
    before = module._parse_gold.cache_info()
    score = grade(gold, r"<answer>\boxed{1}</answer>")
    assert score.value is None
    assert score.error is not None and score.error.code == "timeout"
    assert module._parse_gold.cache_info().currsize == before.currsize
    # With its budget back, the same gold is read (not a cached failure) and graded.
    monkeypatch.setattr(module, "GOLD_CPU_BUDGET_S", 4.0)
    assert grade(gold, r"<answer>\boxed{1}</answer>").details["verdict"] == "different"
