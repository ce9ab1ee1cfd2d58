"""The two execution modes behind one interface: grade a list of wire items by a deadline."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import itertools
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from rewardd import metrics
from rewardd.config import Settings
from rewardd.execution.local import INVALID_REQUEST, execute_in_sandbox, sandbox_error
from rewardd.grading import failed_result, infer_task
from rewardd.rewards.types import ItemError

__all__ = ["INVALID_REQUEST", "Backend", "BrokerUnavailable", "make_backend"]

log = logging.getLogger(__name__)


class BrokerUnavailable(Exception):
    """The broker cannot be reached; the API answers 503 with Retry-After."""


T = TypeVar("T")

# How often a distributed request looks for chunks the broker lost (rewardd.execution.leases).
LOOK_FOR_LOST_EVERY_S = 1.0

# Waiting threads a backend may use: about one per request in flight.
MAX_WAITING_THREADS = 1024


class WaitingThreads:
    """Threads that only wait (on the grading pool, the sandbox, the broker), one per request.

    asyncio's default executor has cores + 4 threads; six requests waiting there would hold
    up every other request's short text work (hashing, OpenRLHF parsing) and /readyz.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(MAX_WAITING_THREADS, thread_name_prefix="wait")

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Backend(Protocol):
    mode: str

    async def grade(
        self, items: list[dict[str, Any]], weights: Mapping[str, float], timeout_s: float
    ) -> list[dict[str, Any]]: ...

    async def problems(self) -> dict[str, str]: ...

    async def execute(self, request: dict[str, Any]) -> dict[str, Any]: ...

    def queue_depth(self) -> int: ...

    def in_flight(self) -> int:
        """Items this host still works on, including those of requests that gave up."""
        ...

    def sandbox_name(self) -> str | None: ...

    def sandbox_pool_size(self) -> int | None: ...

    def close(self) -> None: ...


class EmbeddedBackend:
    """Grades on this host, in a killable process pool (see rewardd.execution.local)."""

    mode = "embedded"

    def __init__(self, settings: Settings) -> None:
        from rewardd.execution.local import LocalGrader

        self.grader = LocalGrader.from_settings(settings)
        self.waits = WaitingThreads()

    async def grade(
        self, items: list[dict[str, Any]], weights: Mapping[str, float], timeout_s: float
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        return await self.waits.run(self.grader.grade_batch, items, weights, deadline)

    async def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if self.grader.grading_processes_alive() == 0:
            problems["pool"] = "no grading process is alive"
        sandbox = await asyncio.to_thread(self.grader.sandbox_problem)
        if sandbox:
            problems["sandbox"] = sandbox
        return problems

    async def execute(self, request: dict[str, Any]) -> dict[str, Any]:
        return await self.waits.run(execute_in_sandbox, self.grader.sandbox, request)

    def queue_depth(self) -> int:
        return self.grader.pool.queued() + self.grader.code_pool.queued()

    def in_flight(self) -> int:
        return self.grader.in_flight()

    def sandbox_name(self) -> str | None:
        return self.grader.sandbox_name()

    def sandbox_pool_size(self) -> int | None:
        return self.grader.sandbox_pool_size()

    def close(self) -> None:
        self.waits.close()
        self.grader.close()


class DistributedBackend:
    """Hands chunks of items to Celery workers over Redis."""

    mode = "distributed"

    def __init__(self, settings: Settings) -> None:
        import redis

        from rewardd.execution.celery_app import make_celery

        assert settings.broker_url
        self.settings = settings
        self.app = make_celery(settings.broker_url)
        self.task = self.app.tasks["rewardd.grade_chunk"]
        # Short timeouts: a dead broker must turn into a 503 within a second, not a hang.
        self.redis = redis.Redis.from_url(
            settings.broker_url, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        self.waits = WaitingThreads()

    def _check_broker(self) -> None:
        import redis

        try:
            self.redis.ping()
        except redis.RedisError as exc:
            raise BrokerUnavailable(f"broker unreachable: {exc}") from exc

    async def grade(
        self, items: list[dict[str, Any]], weights: Mapping[str, float], timeout_s: float
    ) -> list[dict[str, Any]]:
        await asyncio.to_thread(self._check_broker)
        return await self.waits.run(self._grade_blocking, items, dict(weights), timeout_s)

    def _grade_blocking(
        self, items: list[dict[str, Any]], weights: dict[str, float], timeout_s: float
    ) -> list[dict[str, Any]]:
        from celery.exceptions import TimeoutError as NotYet

        from rewardd.execution.celery_app import QUEUE
        from rewardd.execution.leases import LostChunks

        deadline_epoch = time.time() + timeout_s

        def publish(chunk: list[dict[str, Any]], task_id: str | None = None) -> str:
            return self.task.apply_async(
                (chunk, weights, deadline_epoch),
                task_id=task_id,
                queue=QUEUE,
                # Worker logs name the chunk, not every completion in it.
                argsrepr=f"({len(chunk)} items, weights={weights})",
            ).id

        chunks = _chunks(items, self.settings.chunk_size)
        try:
            chunk_of = {publish(chunk): (positions, chunk) for positions, chunk in chunks}
        except Exception as exc:  # kombu raises many types when Redis is down
            raise BrokerUnavailable(f"could not queue work: {exc}") from exc
        results: list[dict[str, Any] | None] = [None] * len(items)
        pending = set(chunk_of)
        lost = LostChunks(self.redis, QUEUE)
        try:
            while pending and (left_s := deadline_epoch - time.time() + 1.0) > 0:
                try:
                    for task_id, meta in self.app.backend.get_many(
                        list(pending), timeout=min(left_s, LOOK_FOR_LOST_EVERY_S), interval=0.01
                    ):
                        pending.discard(task_id)
                        positions, _ = chunk_of[task_id]
                        for position, result in zip(
                            positions, _chunk_results(meta, items, positions, weights), strict=True
                        ):
                            results[position] = result
                except NotYet:
                    pass
                for task_id in lost.since_last_look(pending):
                    log.warning("chunk %s was lost by the broker: publishing it again", task_id)
                    metrics.CHUNKS_REPUBLISHED.inc()
                    publish(chunk_of[task_id][1], task_id=task_id)
        except Exception as exc:
            log.warning("lost the broker while waiting: %s", exc)
        for position, result in enumerate(results):
            if result is None:
                results[position] = failed_result(
                    items[position].get("id"),
                    weights,
                    ItemError("timeout", "not graded within timeout_s"),
                )
        for task_id in chunk_of:
            self.app.backend.forget(task_id)
        return results  # type: ignore[return-value]

    async def problems(self) -> dict[str, str]:
        return await asyncio.to_thread(self._problems_blocking)

    def _problems_blocking(self) -> dict[str, str]:
        import redis

        from rewardd.execution.celery_app import HEARTBEAT_PREFIX

        try:
            self.redis.ping()
        except redis.RedisError as exc:
            return {"broker": f"unreachable: {exc}"}
        if not next(self.redis.scan_iter(f"{HEARTBEAT_PREFIX}*", count=1000), None):
            return {"workers": "no rewardd worker has reported in the last 15 s"}
        return {}

    async def execute(self, request: dict[str, Any]) -> dict[str, Any]:
        await asyncio.to_thread(self._check_broker)
        handle = await asyncio.to_thread(
            self.app.tasks["rewardd.execute"].apply_async, (request,), queue="rewardd"
        )
        try:
            return await self.waits.run(handle.get, timeout=request["timeout_s"] + 30)
        except Exception as exc:
            return sandbox_error(f"the worker did not answer: {exc}")

    def sandbox_pool_size(self) -> int | None:
        return None  # the sandboxes live in the workers; see their --metrics-port

    def in_flight(self) -> int:
        return 0  # the workers bound their own work; the API counts its requests' items

    def sandbox_name(self) -> str | None:
        return None  # each worker logs the sandbox it chose

    def queue_depth(self) -> int:
        import redis

        try:
            return int(self.redis.llen("rewardd"))
        except redis.RedisError:
            return -1

    def close(self) -> None:
        self.waits.close()
        self.redis.close()


def _chunk_results(
    meta: Mapping[str, Any],
    items: list[dict[str, Any]],
    positions: list[int],
    weights: Mapping[str, float],
) -> list[dict[str, Any]]:
    """A finished chunk's results, in its items' order: the worker's, or each item failed."""
    if meta.get("status") == "SUCCESS":
        return list(meta["result"])
    error = ItemError("internal", f"worker failed: {meta.get('result')}")
    return [failed_result(items[position].get("id"), weights, error) for position in positions]


def _chunks(items: list[dict[str, Any]], size: int) -> list[tuple[list[int], list[dict[str, Any]]]]:
    """Chunks of at most `size` items, samples of one prompt together where possible.

    Grouping by reference keeps a prompt's 16 samples on one worker, whose per-process
    caches then parse the gold answer once and verify each distinct final answer once.
    """
    order = sorted(
        range(len(items)),
        key=lambda i: (
            infer_task(items[i].get("reference") or {}),
            repr(items[i].get("reference")),
        ),
    )
    chunks = []
    for start in itertools.count(0, size):
        positions = order[start : start + size]
        if not positions:
            break
        chunks.append((positions, [items[i] for i in positions]))
    return chunks


def make_backend(settings: Settings) -> Backend:
    return DistributedBackend(settings) if settings.broker_url else EmbeddedBackend(settings)
