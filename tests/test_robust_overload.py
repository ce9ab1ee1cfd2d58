"""The overload limit counts what the backend still works on, not only waiting requests."""

from __future__ import annotations

import pytest

from rewardd.cache import ResultCache
from rewardd.grading import grade_item
from rewardd.service import Overloaded, RewardService


class BusyBackend:
    """Grades in-process; `lingering` stands for sandbox jobs of requests that gave up."""

    mode = "embedded"

    def __init__(self, lingering: int) -> None:
        self.lingering = lingering

    async def grade(self, items, weights, timeout_s):
        return [grade_item(item, weights) for item in items]

    def in_flight(self) -> int:
        return self.lingering


ITEMS = [{"completion": f"<answer>{n}</answer>", "reference": {"answer": "1"}} for n in range(3)]


async def test_abandoned_work_counts_towards_the_overload_limit():
    service = RewardService(BusyBackend(lingering=8), ResultCache(0), max_pending_items=10)
    with pytest.raises(Overloaded, match="8 items in flight"):
        await service.grade(ITEMS, "r1-zero")
    service.backend.lingering = 7
    graded = await service.grade(ITEMS, "r1-zero")
    assert [r["components"]["accuracy"] for r in graded.results] == [0.0, 1.0, 0.0]


async def test_cached_answers_are_served_even_when_busy():
    service = RewardService(BusyBackend(lingering=0), ResultCache(100), max_pending_items=10)
    await service.grade(ITEMS, "r1-zero")
    service.backend.lingering = 100
    graded = await service.grade(ITEMS, "r1-zero")  # nothing new to grade: no load added
    assert [r["components"]["accuracy"] for r in graded.results] == [0.0, 1.0, 0.0]
