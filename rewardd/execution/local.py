"""Grading a batch on this host: math in the killable pool, code in threads.

Math is CPU-bound and can hang inside sympy, so it runs in killable processes.  Code items
spend their time waiting on the sandbox, which enforces its own hard deadlines, so they run
in threads that share one warm sandbox pool.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from rewardd.execution.pool import KillablePool, TaskTimeout, WorkerCrashed
from rewardd.grading import failed_result, grade_item, infer_task
from rewardd.metrics import MeteredSandbox
from rewardd.rewards import registry
from rewardd.rewards.types import ItemError

log = logging.getLogger(__name__)


class LocalGrader:
    def __init__(
        self,
        pool_size: int | None = None,
        math_item_timeout_s: float = 10.0,
        code_threads: int = 8,
        sandbox_kind: str | None = None,
    ) -> None:
        self.math_item_timeout_s = math_item_timeout_s
        self.sandbox_kind = sandbox_kind
        self.pool = KillablePool("rewardd.execution.tasks:grade_payload", pool_size)
        self.threads = concurrent.futures.ThreadPoolExecutor(code_threads, "code-grader")
        self._sandbox: Any = None
        self._sandbox_lock = threading.Lock()
        registry.use_sandbox(self.sandbox)

    def sandbox(self) -> Any:
        """The warm sandbox, opened on first use so math-only services never need Docker."""
        with self._sandbox_lock:
            if self._sandbox is None:
                from sandbox import open_sandbox

                self._sandbox = MeteredSandbox(open_sandbox(self.sandbox_kind))
            return self._sandbox

    def sandbox_pool_size(self) -> int | None:
        return self._sandbox.pool_size() if self._sandbox is not None else None

    def sandbox_problem(self) -> str | None:
        try:
            return self.sandbox().problem()
        except Exception as exc:
            return f"sandbox: {exc}"

    def grade_batch(
        self, items: list[Mapping[str, Any]], weights: Mapping[str, float], deadline: float
    ) -> list[dict[str, Any]]:
        """Grade `items` by `deadline` (time.monotonic()); late items come back as timeouts."""
        futures = [self._submit(item, weights, deadline) for item in items]
        concurrent.futures.wait(futures, timeout=max(0.0, deadline - time.monotonic()) + 1.0)
        return [
            _outcome(future, item.get("id"), weights)
            for future, item in zip(futures, items, strict=True)
        ]

    def _submit(
        self, item: Mapping[str, Any], weights: Mapping[str, float], deadline: float
    ) -> concurrent.futures.Future:
        task = item.get("task") or infer_task(item.get("reference") or {})
        if task == "code":
            return self.threads.submit(grade_item, item, weights)
        payload = {"item": dict(item), "weights": dict(weights)}
        return self.pool.submit(payload, self.math_item_timeout_s, deadline)

    def close(self) -> None:
        self.pool.close()
        self.threads.shutdown(wait=False, cancel_futures=True)
        if self._sandbox is not None:
            self._sandbox.close()


def _outcome(
    future: concurrent.futures.Future, item_id: Any, weights: Mapping[str, float]
) -> dict[str, Any]:
    if not future.done():
        return failed_result(item_id, weights, ItemError("timeout", "not graded within timeout_s"))
    try:
        return future.result()
    except TaskTimeout as exc:
        return failed_result(item_id, weights, ItemError("timeout", f"grading timed out: {exc}"))
    except WorkerCrashed as exc:
        return failed_result(item_id, weights, ItemError("internal", str(exc)))
    except Exception as exc:
        log.exception("grading failed")
        return failed_result(item_id, weights, ItemError("internal", f"grading failed: {exc}"))
