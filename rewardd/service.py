"""Grading requests: weights, the result cache, de-duplication and overload control.

Shared by /v1/rewards, /v1/jobs and /get_reward, whichever backend grades.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rewardd import metrics
from rewardd.backends import Backend
from rewardd.cache import ResultCache, item_key
from rewardd.grading import TIMINGS_KEY
from rewardd.groups import score_groups
from rewardd.recipes import resolve_weights


class Overloaded(Exception):
    """More items are in flight than the service accepts; the caller should retry later."""


@dataclass
class Graded:
    results: list[dict[str, Any]]
    recipe: str
    weights: dict[str, float]
    elapsed_ms: float


class RewardService:
    def __init__(self, backend: Backend, cache: ResultCache, max_pending_items: int) -> None:
        self.backend = backend
        self.cache = cache
        self.max_pending_items = max_pending_items
        self.pending_items = 0

    async def grade(
        self,
        items: list[dict[str, Any]],
        recipe: str = "r1",
        weights: Mapping[str, float] | None = None,
        timeout_s: float = 60.0,
    ) -> Graded:
        started = time.perf_counter()
        recipe_name, active = resolve_weights(recipe, weights)
        # Hashing reads every byte of the items: off the event loop, like all text work.
        keys = await asyncio.to_thread(lambda: [item_key(item, active) for item in items])
        cached = {key: self.cache.get(key) for key in set(keys)}
        # One grade per distinct content: identical samples in a GRPO group cost one.
        todo = {key: item for key, item in zip(keys, items, strict=False) if cached[key] is None}
        # Work of requests that already gave up (a sandbox job finishing its last second)
        # still occupies the backend, so it counts as much as the requests waiting here.
        busy = max(self.pending_items, self.backend.in_flight())
        if todo and busy + len(todo) > self.max_pending_items:
            raise Overloaded(f"{busy} items in flight; retry shortly")
        self.pending_items += len(todo)
        try:
            graded = await self.backend.grade(list(todo.values()), active, timeout_s)
        finally:
            self.pending_items -= len(todo)
        for key, result in zip(todo, graded, strict=True):
            metrics.record_timings(result.pop(TIMINGS_KEY, None) or {})
            self.cache.put(key, result)
            cached[key] = result
        results = [
            {**cached[key], "id": item.get("id")} for key, item in zip(keys, items, strict=True)
        ]
        # Group components (`length`) need the whole request graded; their part of each
        # item's result is not cached, the rest is.
        results = await asyncio.to_thread(score_groups, items, results, active)
        metrics.record_batch(results, cache_hits=len(items) - len(todo))
        return Graded(results, recipe_name, active, (time.perf_counter() - started) * 1000)
