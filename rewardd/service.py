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
from rewardd.planner import (
    VERDICT_WEIGHTS,
    for_worker,
    joined,
    lone_verdicts,
    plan_batch,
    text_components,
    verdict_of,
)
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
    def __init__(
        self,
        backend: Backend,
        cache: ResultCache,
        max_pending_items: int,
        verdicts: ResultCache | None = None,
    ) -> None:
        self.backend = backend
        self.cache = cache
        # Math verdicts by (gold, final answer, prompt): see rewardd.planner.
        self.verdicts = verdicts if verdicts is not None else ResultCache(cache.max_entries)
        self.max_pending_items = max_pending_items
        self.pending_items = 0
        # Items sent to the backend to compute a math verdict (one per distinct key).
        self.verdicts_graded = 0

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
            graded = await self._grade_planned(list(todo.values()), active, timeout_s)
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

    async def _grade_planned(
        self, items: list[dict[str, Any]], weights: Mapping[str, float], timeout_s: float
    ) -> list[dict[str, Any]]:
        """Grade `items`, each distinct math verdict once (rewardd.planner).

        The verdicts, the planned items' text components and the unplanned items are
        graded at once; nothing waits on anything else.
        """
        deadline = time.monotonic() + timeout_s
        plan, verdicts = await asyncio.to_thread(plan_batch, items, weights, self.verdicts)
        alone = [i for i in range(len(items)) if not plan.planned(i)]
        text = text_components(weights)
        # (A lone item's result must carry the verdict itself: accuracy among its weights.)
        lone = lone_verdicts(plan) if text and "accuracy" in weights else {}
        lone_positions = set(lone.values())
        to_verify = {key: item for key, item in plan.to_verify.items() if key not in lone}
        with_text = [
            i for i in range(len(items)) if plan.planned(i) and text and i not in lone_positions
        ]
        self.verdicts_graded += len(plan.to_verify)
        metrics.MATH_VERDICTS.inc(len(plan.to_verify))
        metrics.VERDICT_CACHE_HITS.inc(len(verdicts))
        text_weights = {name: weights[name] for name in text}
        fresh, graded_alone, graded_text, graded_lone = await asyncio.gather(
            self._grade_some(
                [for_worker(item) for item in to_verify.values()], VERDICT_WEIGHTS, deadline
            ),
            self._grade_some([items[i] for i in alone], weights, deadline),
            self._grade_some([for_worker(items[i]) for i in with_text], text_weights, deadline),
            self._grade_some([for_worker(items[i]) for i in lone.values()], weights, deadline),
        )
        text_results: dict[int, dict[str, Any]] = {}
        for (key, position), result in zip(lone.items(), graded_lone, strict=True):
            metrics.record_timings(result.pop(TIMINGS_KEY, None) or {})
            text_results[position] = result
            verdicts[key] = verdict_of(result)
            self.verdicts.put(key, verdicts[key])  # never stores a verdict with an error
        for key, verdict in zip(to_verify, fresh, strict=True):
            metrics.record_timings(verdict.pop(TIMINGS_KEY, None) or {})
            self.verdicts.put(key, verdict)  # never stores a verdict with an error
            verdicts[key] = verdict
        results: list[dict[str, Any] | None] = [None] * len(items)
        for position, result in zip(alone, graded_alone, strict=True):
            results[position] = result
        for position, result in zip(with_text, graded_text, strict=True):
            metrics.record_timings(result.pop(TIMINGS_KEY, None) or {})
            text_results[position] = result

        def join() -> None:
            for position, (key, item) in enumerate(zip(plan.keys, items, strict=True)):
                if key is not None:
                    text_result = text_results.get(position)
                    results[position] = joined(item, weights, verdicts[key], text_result)

        await asyncio.to_thread(join)
        return results  # type: ignore[return-value]

    async def _grade_some(
        self, items: list[dict[str, Any]], weights: Mapping[str, float], deadline: float
    ) -> list[dict[str, Any]]:
        if not items:
            return []
        return await self.backend.grade(items, weights, max(0.0, deadline - time.monotonic()))
