"""Leases on chunks, so that no chunk is lost when a worker dies and none is run twice.

kombu's Redis transport keeps a delivered message in its `unacked` set until it is
acknowledged, and a sweep puts back on the queue whatever has been unacknowledged for the
visibility timeout. That leaves two holes this module closes:

- The move from the queue into `unacked` is two commands (BRPOP, then ZADD and HSET): a
  worker killed between them loses the chunk for good (celery/kombu#305). The API sees
  such a chunk nowhere (not queued, not held, not done) and publishes it again.
- The sweep cannot tell a dead worker's chunk from a busy one's: a chunk waiting in a live
  worker's reserve for longer than the timeout would be run twice. A live worker renews
  kombu's timestamp of every chunk it holds, so the sweep gives back only a dead worker's.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from typing import Any

import redis

HELD_PREFIX = "rewardd:held:"


def held_key(task_id: str) -> str:
    return f"{HELD_PREFIX}{task_id}"


def hold(client: redis.Redis, task_ids: Iterable[str], ttl_s: float) -> None:
    """Mark chunks as held by a live worker for the next `ttl_s`."""
    pipe = client.pipeline(transaction=False)
    for task_id in task_ids:
        pipe.set(held_key(task_id), "1", px=max(1, int(ttl_s * 1000)))
    pipe.execute()


def renew_unacked(
    client: redis.Redis, unacked_index_key: str, delivery_tags: Iterable[str]
) -> None:
    """Restart kombu's visibility clock on chunks a live worker holds.

    Only tags still in kombu's index are touched (ZADD XX): an acknowledged chunk is gone
    from it and must not come back.
    """
    now = time.time()
    tags = dict.fromkeys(delivery_tags, now)
    if tags:
        client.zadd(unacked_index_key, tags, xx=True)


def nowhere(client: redis.Redis, queue: str, task_ids: Collection[str]) -> set[str]:
    """Of these unfinished chunks, those neither waiting in `queue` nor held by a worker.

    While anything waits in the queue this cannot tell a queued chunk from a lost one
    (reading the whole queue would cost more than the wait) and says none is lost.
    """
    if not task_ids or client.llen(queue):
        return set()
    ordered = list(task_ids)
    pipe = client.pipeline(transaction=False)
    for task_id in ordered:
        pipe.exists(held_key(task_id))
    return {task_id for task_id, held in zip(ordered, pipe.execute(), strict=True) if not held}


def held_requests(requests: Iterable[Any]) -> tuple[list[str], list[str]]:
    """Task ids and delivery tags of a worker's reserved and running requests."""
    task_ids: list[str] = []
    tags: list[str] = []
    for request in requests:
        task_ids.append(request.id)
        tag = getattr(request.message, "delivery_tag", None)
        if tag is not None:
            tags.append(tag)
    return task_ids, tags


# Between a worker's BRPOP and its mark a chunk is nowhere for a few milliseconds; a chunk
# nowhere on two looks this far apart is lost.
LOST_AFTER_S = 1.0


class LostChunks:
    """The API's looks for chunks of one request that the broker lost."""

    def __init__(self, client: redis.Redis, queue: str) -> None:
        self.client = client
        self.queue = queue
        self.nowhere_since: dict[str, float] = {}

    def since_last_look(self, pending: Collection[str]) -> list[str]:
        """Chunks to publish again: unfinished, and nowhere since a look LOST_AFTER_S ago."""
        now = time.monotonic()
        try:
            seen_nowhere = nowhere(self.client, self.queue, pending)
        except redis.RedisError:
            return []  # a slow or lost broker: the result wait says so, the next look retries
        self.nowhere_since = {
            task_id: self.nowhere_since.get(task_id, now) for task_id in seen_nowhere
        }
        lost = [
            task_id for task_id, since in self.nowhere_since.items() if now - since >= LOST_AFTER_S
        ]
        for task_id in lost:
            del self.nowhere_since[task_id]
        return lost
