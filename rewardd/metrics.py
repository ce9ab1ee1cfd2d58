"""Prometheus metrics, on a registry of our own so tests can start several apps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "rewardd_requests_total", "HTTP requests", ["route", "status"], registry=REGISTRY
)
REQUEST_SECONDS = Histogram(
    "rewardd_request_seconds", "HTTP request latency", ["route"], registry=REGISTRY
)
ITEMS = Counter("rewardd_items_total", "Graded items by outcome", ["outcome"], registry=REGISTRY)
CACHE_HITS = Counter("rewardd_cache_hits_total", "Items answered from cache", registry=REGISTRY)
CACHE_LOOKUPS = Counter("rewardd_cache_lookups_total", "Items looked up", registry=REGISTRY)
MATH_VERDICTS = Counter(
    "rewardd_math_verdicts_total",
    "Math verdicts computed (one per distinct gold, final answer and prompt of a batch)",
    registry=REGISTRY,
)
VERDICT_CACHE_HITS = Counter(
    "rewardd_verdict_cache_hits_total", "Math verdicts answered from cache", registry=REGISTRY
)
COMPONENT_VALUES = Counter(
    "rewardd_component_scored_total",
    "Component scores given",
    ["component", "null"],
    registry=REGISTRY,
)
COMPONENT_SECONDS = Histogram(
    "rewardd_component_seconds",
    "Time to compute one component of one item",
    ["component"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge("rewardd_queue_depth", "Items or chunks waiting", registry=REGISTRY)
SANDBOX_POOL = Gauge(
    "rewardd_sandbox_pool_size", "Warm sandbox containers in this process", registry=REGISTRY
)
CHUNKS_REPUBLISHED = Counter(
    "rewardd_chunks_republished_total",
    "Chunks the broker lost (a worker died taking them) and the API published again",
    registry=REGISTRY,
)
SANDBOX_OUTCOMES = Counter(
    "rewardd_sandbox_executions_total",
    "Sandbox executions by status",
    ["status"],
    registry=REGISTRY,
)


class MeteredSandbox:
    """A sandbox whose every execution is counted by status, whoever calls it."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.name = sandbox.name

    def execute(self, request: Any) -> Any:
        result = self.sandbox.execute(request)
        SANDBOX_OUTCOMES.labels(status=result.status).inc()
        return result

    def problem(self) -> str | None:
        return self.sandbox.problem()

    def close(self) -> None:
        self.sandbox.close()

    def pool_size(self) -> int | None:
        return getattr(self.sandbox, "live_containers", None)


def record_batch(results: Iterable[dict[str, Any]], cache_hits: int) -> None:
    count = 0
    for result in results:
        count += 1
        error = result.get("error")
        ITEMS.labels(outcome=error["code"] if error else "ok").inc()
        for name, value in result["components"].items():
            COMPONENT_VALUES.labels(component=name, null=str(value is None).lower()).inc()
    CACHE_LOOKUPS.inc(count)
    CACHE_HITS.inc(cache_hits)


def record_timings(timings: dict[str, float]) -> None:
    for name, seconds in timings.items():
        COMPONENT_SECONDS.labels(component=name).observe(max(0.0, seconds))


def render() -> bytes:
    return generate_latest(REGISTRY)
