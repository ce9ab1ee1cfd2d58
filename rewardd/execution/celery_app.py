"""Distributed mode: Celery over Redis.

Tasks are chunks of items, not single items, so a 4096-item batch is ~128 messages.
`acks_late` + `reject_on_worker_lost` + a bounded visibility timeout mean a chunk whose
worker dies (even by SIGKILL) is delivered again to another worker instead of being lost.
Workers use the threads pool and grade through the same killable process pool as embedded
mode, so both modes give identical results and the same hard per-item deadlines.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
from typing import Any

from celery import Celery

from rewardd.config import get_settings

QUEUE = "rewardd"
HEARTBEAT_PREFIX = "rewardd:worker:"
HEARTBEAT_TTL_S = 15


def make_celery(broker_url: str) -> Celery:
    settings = get_settings()
    app = Celery("rewardd", broker=broker_url, backend=broker_url)
    transport = {
        "visibility_timeout": settings.visibility_timeout_s,
        # Sweep for abandoned (unacked past the timeout) chunks often enough that a dead
        # worker's chunks come back within about one visibility timeout, not kombu's ~100 s.
        "unacked_restore_interval": max(1, int(settings.visibility_timeout_s / 4)),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 1,
        "socket_timeout": 10,
    }
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_default_queue=QUEUE,
        # 4 chunks in reserve per thread: with the threads pool the worker's consumer is
        # celery's blocking loop, which asks the broker again only once a chunk frees a slot
        # or 2 s pass, so with one per thread a worker took two fast chunks per 2 s (a killed
        # peer's 600 items timed out). A dead worker's reserved chunks come back after the
        # visibility timeout, as its running ones do.
        worker_prefetch_multiplier=4,
        broker_transport_options=transport,
        result_backend_transport_options=transport,
        redis_socket_connect_timeout=1,
        redis_socket_timeout=10,
        result_expires=3600,
        task_publish_retry=False,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_ignore_result=False,
    )
    app.task(name="rewardd.grade_chunk")(grade_chunk)
    app.task(name="rewardd.execute")(execute)
    return app


_grader = None
_grader_lock = threading.Lock()


def _local_grader():
    global _grader
    with _grader_lock:
        if _grader is None:
            from rewardd.execution.local import LocalGrader

            _grader = LocalGrader.from_settings(get_settings())
        return _grader


def grade_chunk(
    items: list[dict[str, Any]], weights: dict[str, float], deadline_epoch: float
) -> list[dict[str, Any]]:
    # Wall-clock deadline because the API and the worker may be different hosts.
    deadline = time.monotonic() + (deadline_epoch - time.time())
    return _local_grader().grade_batch(items, weights, deadline)


def execute(request: dict[str, Any]) -> dict[str, Any]:
    from rewardd.execution.local import execute_in_sandbox

    return execute_in_sandbox(_local_grader().sandbox, request)


def run_worker(
    concurrency: int | None = None, loglevel: str = "INFO", metrics_port: int | None = None
) -> None:
    settings = get_settings()
    if not settings.broker_url:
        raise SystemExit("rewardd worker needs REWARDD_BROKER_URL=redis://host:6379/0")
    app = make_celery(settings.broker_url)
    grader = _local_grader()  # warm the pool before taking work
    if metrics_port:
        _serve_metrics(metrics_port, grader)
    threads = concurrency or 2 * grader.pool.size
    _start_heartbeat(settings.broker_url)
    app.worker_main(
        [
            "worker",
            "--pool=threads",
            f"--concurrency={threads}",
            f"--loglevel={loglevel}",
            f"--queues={QUEUE}",
            # Containers on host networking share hostname and pid: a random part tells them apart.
            f"--hostname=rewardd@{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def _serve_metrics(port: int, grader: Any) -> None:
    """Prometheus text for this worker: sandbox outcomes and pool size live here."""
    from prometheus_client import start_http_server

    from rewardd import metrics

    def refresh() -> None:
        while True:
            size = grader.sandbox_pool_size()
            if size is not None:
                metrics.SANDBOX_POOL.set(size)
            metrics.QUEUE_DEPTH.set(grader.in_flight())
            time.sleep(5)

    start_http_server(port, registry=metrics.REGISTRY)
    threading.Thread(target=refresh, name="metrics", daemon=True).start()


def _start_heartbeat(broker_url: str) -> None:
    """A key per live worker, so the API's /readyz can say when no worker is up."""
    import redis

    client = redis.Redis.from_url(broker_url, socket_connect_timeout=1, socket_timeout=1)
    key = f"{HEARTBEAT_PREFIX}{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"

    def beat() -> None:
        while True:
            # When the broker is down the API reports that on its own.
            with contextlib.suppress(redis.RedisError):
                client.set(key, str(time.time()), ex=HEARTBEAT_TTL_S)
            time.sleep(HEARTBEAT_TTL_S / 3)

    threading.Thread(target=beat, name="heartbeat", daemon=True).start()
