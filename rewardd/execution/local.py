"""Grading a batch on this host, every item in a killable worker process.

Math is CPU-bound and can hang inside sympy; code items scan model-written text (fences,
`ast.parse`, ruff) before they wait on the sandbox.  Neither may run in the API process,
where a long scan would hold the GIL and stall the event loop (and /healthz with it).  So
both run in killable pools: math in one process per core, code in `code_threads` processes
that ask this process to run their sandbox jobs (`call_parent("sandbox", ...)`), because
the warm sandbox pool lives here.  Each sandbox job is capped by the time its request has
left, and work whose request deadline has passed is never started.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from rewardd.config import Settings
from rewardd.execution.pool import DeadlinePassed, KillablePool, TaskTimeout, WorkerCrashed
from rewardd.grading import failed_result, infer_task
from rewardd.metrics import MeteredSandbox
from rewardd.rewards.types import ItemError

log = logging.getLogger(__name__)

TASK_TARGET = "rewardd.execution.tasks:grade_payload"
SANDBOX_SERVICE = "sandbox"

# Returned by execute_in_sandbox (possibly from another host) for a request the sandbox refuses.
INVALID_REQUEST = "invalid_request"

# A sandbox job with less than this left before its deadline is not worth starting.
MIN_JOB_S = 0.05
# A job that timed out this close to its request's deadline was cut by the deadline.
DEADLINE_SLACK_S = 0.25


class LocalGrader:
    def __init__(
        self,
        pool_size: int | None = None,
        math_item_timeout_s: float = 60.0,
        code_threads: int = 8,
        sandbox_kind: str | None = None,
        code_item_timeout_s: float = 120.0,
    ) -> None:
        self.math_item_timeout_s = math_item_timeout_s
        self.code_item_timeout_s = code_item_timeout_s
        self.sandbox_kind = sandbox_kind
        self.pool = KillablePool(TASK_TARGET, pool_size)
        self.code_pool = KillablePool(
            TASK_TARGET, code_threads, services={SANDBOX_SERVICE: self._run_sandbox_job}
        )
        self._sandbox: Any = None
        self._sandbox_lock = threading.Lock()
        # Grading jobs wait for a slot HERE, where the wait is bounded by their deadline; the
        # sandbox's own queue would hold them past it and then run them anyway.
        self._sandbox_slots = threading.BoundedSemaphore(_sandbox_concurrency())

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalGrader:
        """The one way the service, the Celery worker and the CLI build their grader."""
        return cls(
            pool_size=settings.pool_size,
            math_item_timeout_s=settings.math_item_timeout_s,
            code_threads=settings.code_threads,
            sandbox_kind=settings.sandbox,
            code_item_timeout_s=settings.code_item_timeout_s,
        )

    def sandbox(self) -> Any:
        """The warm sandbox, opened on first use so math-only services never need Docker."""
        with self._sandbox_lock:
            if self._sandbox is None:
                from sandbox import open_sandbox

                self._sandbox = MeteredSandbox(open_sandbox(self.sandbox_kind))
                log.info("sandbox: using the %s backend", self.sandbox_name())
            return self._sandbox

    def sandbox_name(self) -> str | None:
        """Which backend `auto` (or the setting) chose; None until the sandbox is opened."""
        return self._sandbox.name if self._sandbox is not None else None

    def sandbox_pool_size(self) -> int | None:
        return self._sandbox.pool_size() if self._sandbox is not None else None

    def sandbox_problem(self) -> str | None:
        try:
            return self.sandbox().problem()
        except Exception as exc:
            return f"sandbox: {exc}"

    def in_flight(self) -> int:
        """Items queued or being graded here, sandbox jobs of abandoned items included."""
        return self.pool.in_flight() + self.code_pool.in_flight()

    def grading_processes_alive(self) -> int:
        return min(self.pool.alive(), self.code_pool.alive())

    def grade_batch(
        self, items: list[Mapping[str, Any]], weights: Mapping[str, float], deadline: float
    ) -> list[dict[str, Any]]:
        """Grade `items` by `deadline` (time.monotonic()); late items come back as timeouts."""
        futures = [self.submit(item, weights, deadline) for item in items]
        concurrent.futures.wait(futures, timeout=max(0.0, deadline - time.monotonic()) + 1.0)
        return [
            self.outcome(future, item.get("id"), weights)
            for future, item in zip(futures, items, strict=True)
        ]

    def submit(
        self, item: Mapping[str, Any], weights: Mapping[str, float], deadline: float
    ) -> concurrent.futures.Future:
        """Queue one item; read its result with `outcome` once the future is done."""
        payload = {"item": dict(item), "weights": dict(weights)}
        if (item.get("task") or infer_task(item.get("reference") or {})) == "code":
            return self.code_pool.submit(payload, self.code_item_timeout_s, deadline)
        return self.pool.submit(payload, self.math_item_timeout_s, deadline)

    def _run_sandbox_job(self, request: dict[str, Any], deadline: float) -> dict[str, Any]:
        """A code task's sandbox job, run here and cut at the task's deadline."""
        from sandbox import ExecutionRequest

        sandbox = self.sandbox()
        wait_s = deadline - time.monotonic()
        if not self._sandbox_slots.acquire(timeout=max(0.0, wait_s) if wait_s < 1e9 else None):
            raise DeadlinePassed("the request deadline passed while waiting for a sandbox")
        try:
            left = deadline - time.monotonic()
            if left < MIN_JOB_S:
                raise DeadlinePassed("the request deadline passed before the sandbox job")
            budget_cut = left < request["timeout_s"]
            result = sandbox.execute(ExecutionRequest(**_cap_by_deadline(request, left)))
        finally:
            self._sandbox_slots.release()
        if result.status == "timeout" and (
            budget_cut or time.monotonic() >= deadline - DEADLINE_SLACK_S
        ):
            # Cut by the request's deadline, not by the item's own budget: no verdict.
            raise DeadlinePassed("the request deadline passed during the sandbox job")
        return dataclasses.asdict(result)

    def outcome(
        self, future: concurrent.futures.Future, item_id: Any, weights: Mapping[str, float]
    ) -> dict[str, Any]:
        """The item's result, or an explicit error result (timeout, internal): never raises."""
        return _outcome(future, item_id, weights)

    def close(self) -> None:
        self.pool.close()
        self.code_pool.close()
        if self._sandbox is not None:
            self._sandbox.close()


def _cap_by_deadline(request: dict[str, Any], left: float) -> dict[str, Any]:
    """The job with at most `left` seconds: of CPU budget (`timeout_s`), and of wall clock
    where the sandbox takes a wall limit (its own backstop is a generous multiple of the
    budget, which would hold a container long after the request gave up)."""
    return {
        **request,
        "timeout_s": min(left, request["timeout_s"]),
        "wall_limit_s": min(left, request.get("wall_limit_s") or left),
    }


def _sandbox_concurrency() -> int:
    """Sandbox jobs at once: the sandbox's pool size, which is at most the cores."""
    from sandbox.limits import SandboxSettings

    return SandboxSettings.from_env().pool_size


def execute_in_sandbox(open_sandbox: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Run one /v1/execute request; infrastructure failures become status sandbox_error."""
    from sandbox import ExecutionRequest

    try:
        result = open_sandbox().execute(ExecutionRequest(**request))
    except ValueError as exc:  # the request broke a sandbox limit: the caller's fault
        return {"status": INVALID_REQUEST, "message": str(exc)}
    except Exception as exc:
        log.exception("sandbox failed")
        return sandbox_error(f"sandbox failed: {exc}")
    return dataclasses.asdict(result)


def sandbox_error(message: str) -> dict[str, Any]:
    from sandbox.results import infra_error

    return dataclasses.asdict(infra_error(message))


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
