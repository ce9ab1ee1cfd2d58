"""Where asynchronous jobs keep their status and results.

Embedded mode keeps them in this process's memory; distributed mode keeps them in Redis,
so that any API replica behind a load balancer can answer GET /v1/jobs/{id}.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Protocol


class JobStore(Protocol):
    def save(self, job_id: str, job: dict[str, Any]) -> None: ...

    def load(self, job_id: str) -> dict[str, Any] | None: ...


class MemoryJobStore:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._jobs: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def save(self, job_id: str, job: dict[str, Any]) -> None:
        now = time.monotonic()
        with self._lock:
            self._jobs[job_id] = (now + self.ttl_s, job)
            expired = [key for key, (until, _) in self._jobs.items() if until < now]
            for key in expired:
                del self._jobs[key]

    def load(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._jobs.get(job_id)
        return entry[1] if entry and entry[0] >= time.monotonic() else None


class RedisJobStore:
    def __init__(self, url: str, ttl_s: int) -> None:
        import redis

        self.ttl_s = ttl_s
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)

    def save(self, job_id: str, job: dict[str, Any]) -> None:
        self.redis.set(f"rewardd:job:{job_id}", json.dumps(job), ex=self.ttl_s)

    def load(self, job_id: str) -> dict[str, Any] | None:
        raw = self.redis.get(f"rewardd:job:{job_id}")
        return json.loads(raw) if raw else None
