"""Verdicts do not depend on machine load (contract v2, "Deadlines and caching").

The same batch goes to two fresh `rewardd serve` processes (fresh per-process caches, result
cache off): one on the quiet machine, one while six busy loops run, each in a session of its
own so that the kernel's autogroup scheduling cannot fold them into one slice.  The batch holds
golds that need about a second of CPU to parse.  Both runs must give the same verdicts, with
no null and no error.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import running_service
from tests.load import busy_loops, cpu_seconds

BUSY_LOOPS = 6


def polynomial(terms: int, reverse: bool = False) -> str:
    """`1x^{1}+2x^{2}+...`: latex2sympy needs about a second for 120 terms on these machines."""
    powers = range(1, terms + 1)
    return "+".join(f"{i}x^{{{i}}}" for i in (reversed(powers) if reverse else powers))


def r1(answer: str) -> str:
    return f"<think>Working it out.</think>\n<answer>\\boxed{{{answer}}}</answer>"


SLOW_GOLD = polynomial(120)
BATCH: list[tuple[str, str, str]] = [
    # (gold, completion, the verdict it must get, loaded or not)
    (SLOW_GOLD, r1(polynomial(120, reverse=True)), "equivalent"),
    (SLOW_GOLD, r1(polynomial(119)), "different"),
    (polynomial(110), r1(polynomial(110)), "equivalent"),
    (r"\begin{pmatrix} -1/3 \\ 2/3 \\ 5/3 \end{pmatrix}", r1(r"\frac{5}{3}"), "different"),
    ("72/19", r1(r"\frac{72}{19}"), "equivalent"),
    ("72/19", r1(r"\frac{72}{18}"), "different"),
    ("2", "What is 1 + 1 ?", "no_answer"),
    ("42", "12 + 30 = 42.\n#### 42", "equivalent"),
    ("3", r1(r"2 \text{ or } 3"), "hedged"),
    ("x = 1, 2", r1("1, 2"), "equivalent"),
    (r"\sqrt{2}/2", r1(r"\frac{1}{\sqrt{2}}"), "equivalent"),
    (r"1 - \frac{1}{\mathrm{e}}", r1(r"1 - e^{-1}"), "equivalent"),
    ("1000", r1("1 000"), "equivalent"),
    ("(3,2)", r1("(x,y)=(3,2)"), "equivalent"),
    (r"\frac{1}{2^{99}}", r1(r"\frac{1}{2^{98}}"), "different"),
    ("5", r1(r"\frac{}{}"), "unparsable_answer"),
]


def grade(url: str) -> list[dict[str, Any]]:
    items = [
        {"id": str(index), "completion": completion, "reference": {"answer": gold}}
        for index, (gold, completion, _) in enumerate(BATCH)
    ]
    response = httpx.post(
        f"{url}/v1/rewards",
        json={"items": items, "weights": {"accuracy": 1.0}, "timeout_s": 900},
        timeout=1000,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


def service(log: Path) -> contextlib.AbstractContextManager[str]:
    # A generous wall-clock backstop; the CPU budgets are what decide.
    return running_service(
        log, REWARDD_POOL_SIZE="2", REWARDD_MATH_ITEM_TIMEOUT_S="300", REWARDD_CACHE_ENTRIES="0"
    )


@pytest.mark.slow
def test_the_same_batch_gets_the_same_verdicts_on_a_loaded_machine(tmp_path: Path) -> None:
    with service(tmp_path / "quiet.log") as quiet_url, service(tmp_path / "loaded.log") as url:
        started = time.monotonic()
        quiet = grade(quiet_url)
        quiet_s = time.monotonic() - started
        with busy_loops(BUSY_LOOPS) as loops:
            started = time.monotonic()
            loaded = grade(url)
            loaded_s = time.monotonic() - started
            assert all(loop.poll() is None for loop in loops)
            busy_cpu = sum(cpu_seconds(loop.pid) for loop in loops)
    print(f"quiet {quiet_s:.1f} s, loaded {loaded_s:.1f} s, busy loops used {busy_cpu:.1f} CPU s")
    assert busy_cpu > 0.5 * loaded_s  # the loops really competed for the cores

    for (gold, _, verdict), calm, busy in zip(BATCH, quiet, loaded, strict=True):
        for result in (calm, busy):
            assert result["error"] is None, (gold[:40], result)
            assert result["components"]["accuracy"] is not None, (gold[:40], result)
            assert result["details"]["accuracy"]["verdict"] == verdict, (gold[:40], result)
        assert busy["components"] == calm["components"]
        assert busy["details"]["accuracy"] == calm["details"]["accuracy"]
