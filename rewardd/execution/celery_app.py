"""Distributed mode: Celery over Redis.

Tasks are chunks of items, not single items, so a 4096-item batch is ~128 messages.
`acks_late` + `reject_on_worker_lost` + a bounded visibility timeout mean a chunk whose
worker dies (even by SIGKILL) is delivered again to another worker instead of being lost.
Workers use the threads pool and grade through the same killable process pool as embedded
mode, so both modes give identical results and the same hard per-item deadlines.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from typing import Any

from celery import Celery

from rewardd.config import get_settings
from rewardd.execution import leases

log = logging.getLogger(__name__)

QUEUE = "rewardd"
HEARTBEAT_PREFIX = "rewardd:worker:"
HEARTBEAT_TTL_S = 15
UNACKED_MUTEX_EXPIRE_S = 30


def make_celery(broker_url: str) -> Celery:
    settings = get_settings()
    app = Celery("rewardd", broker=broker_url, backend=broker_url)
    transport = {
        "visibility_timeout": settings.visibility_timeout_s,
        # kombu's lock on its sweep of unacked chunks lives 300 s by default: a worker
        # killed while holding it would stop every redelivery for five minutes.
        "unacked_mutex_expire": UNACKED_MUTEX_EXPIRE_S,
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
    _start_lease_keeper(app, settings.broker_url, settings.visibility_timeout_s)
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


def _start_lease_keeper(app: Celery, broker_url: str, visibility_timeout_s: float) -> None:
    """Keep this worker's leases (rewardd.execution.leases) and sweep for dead workers' chunks.

    kombu sweeps only from a poll that found nothing, and only every tenth time; under the
    threads pool an idle worker's every poll sees the reply to its own BRPOP, so a killed
    worker's chunks never came back (32 of 600 items lost their deadline in the kill test).
    This calls kombu's own sweep, on a connection of its own, under kombu's lock.
    """
    import redis
    from celery import signals
    from celery.worker import state

    every_s = max(0.5, visibility_timeout_s / 4)
    ttl_s = 2 * visibility_timeout_s  # past kombu's sweep: a dead worker's chunk goes back first
    client = redis.Redis.from_url(broker_url, socket_connect_timeout=1, socket_timeout=5)

    @signals.task_received.connect(weak=False)
    def mark_received(request: Any, **_: Any) -> None:
        # At once, not at the next renewal: until marked, the API may think a chunk lost.
        with contextlib.suppress(redis.RedisError):
            leases.hold(client, [request.id], ttl_s)

    def keep() -> None:
        failing = False
        while True:
            time.sleep(every_s)
            try:
                task_ids, tags = leases.held_requests(_held_now(state))
                leases.hold(client, task_ids, ttl_s)
                with app.connection_for_write() as connection:
                    channel = connection.default_channel
                    leases.renew_unacked(channel.client, channel.unacked_index_key, tags)
                    channel.qos.restore_visible(num=None, interval=1)
            except Exception as error:  # the next round tries again
                # A broker that is down is the API's to report; say it here only once.
                if not failing:
                    log.warning("could not renew leases or sweep for lost chunks: %r", error)
                failing = True
            else:
                failing = False

    threading.Thread(target=keep, name="leases", daemon=True).start()


def _held_now(state: Any) -> list[Any]:
    """The worker's reserved and running requests; the sets change under us, so retry."""
    for _ in range(10):
        try:
            return list({*state.reserved_requests, *state.active_requests})
        except RuntimeError:  # "set changed size during iteration"
            continue
    return []
