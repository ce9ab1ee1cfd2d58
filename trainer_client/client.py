"""A client for rewardd's HTTP API: batching, retries with backoff, and timeouts, sync and async.

    client = RewardClient()                      # URL from REWARDD_URL, else http://127.0.0.1:8000
    results = client.grade(items, weights={"accuracy": 1.0})
    rewards = [r.reward for r in results]        # None where the item could not be graded

An item the service could not grade (its `error` is set, or its `reward` is null) comes back as
`reward=None`, never as a made-up 0: a trainer must be able to tell "wrong" from "unknown".
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"
MAX_ITEMS_PER_REQUEST = 4096  # the service's limit per /v1/rewards request (CONTRACT.md)

# The HTTP read timeout is the service's own budget plus this margin, so the service has time to
# answer "timeout" for the slow items itself instead of the client giving up on the whole batch.
_TIMEOUT_MARGIN_S = 15.0

Item = Mapping[str, Any]


@dataclass(frozen=True)
class RewardResult:
    """One graded item. `reward` is None when the item could not be graded."""

    id: str | None
    reward: float | None
    components: dict[str, float | None] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    error: dict[str, str] | None = None

    @property
    def graded(self) -> bool:
        return self.reward is not None

    def component(self, name: str) -> float | None:
        """The value of one component; None when it is null, missing, or the item failed."""
        value = self.components.get(name)
        return None if value is None else float(value)


class RewardServiceError(RuntimeError):
    """The service refused the request (4xx) or stayed unavailable through every retry."""

    def __init__(self, message: str, status_code: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


def default_url() -> str:
    return os.environ.get("REWARDD_URL", DEFAULT_URL).rstrip("/")


def parse_result(raw: Mapping[str, Any]) -> RewardResult:
    error = raw.get("error")
    reward = raw.get("reward")
    # An error never comes with a usable reward, whatever the payload says.
    usable = reward is not None and not error
    return RewardResult(
        id=raw.get("id"),
        reward=float(reward) if usable else None,
        components=dict(raw.get("components") or {}),
        details=dict(raw.get("details") or {}),
        error=dict(error) if error else None,
    )


def batches(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The server's Retry-After, as seconds from now (it may be seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_retryable_status(status_code: int) -> bool:
    return status_code == 429 or status_code >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait before attempt `attempt + 1`: exponential backoff with full jitter,
    unless the server said how long (Retry-After), which is honoured up to `max_wait_s`."""

    max_retries: int = 6
    base_s: float = 0.25
    max_wait_s: float = 30.0

    def wait_s(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_wait_s)
        return random.uniform(0, min(self.max_wait_s, self.base_s * 2**attempt))


class RewardClient:
    """Grades items on a rewardd service. Thread-safe for the sync API; one instance may also
    be used from asyncio (`agrade`), where batches of more than `batch_size` items are sent
    concurrently."""

    def __init__(
        self,
        url: str | None = None,
        *,
        recipe: str | None = None,
        weights: Mapping[str, float] | None = None,
        timeout_s: float = 60.0,
        batch_size: int = MAX_ITEMS_PER_REQUEST,
        retry: RetryPolicy | None = None,
        connect_timeout_s: float = 5.0,
        params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        if not 1 <= batch_size <= MAX_ITEMS_PER_REQUEST:
            raise ValueError(
                f"batch_size must be in [1, {MAX_ITEMS_PER_REQUEST}], not {batch_size}"
            )
        self.url = (url or default_url()).rstrip("/")
        self.recipe = recipe
        self.weights = dict(weights) if weights is not None else None
        # CONTRACT v2 component parameters, {"cosine": {"max_len": 2048}, ...}: the service
        # applies them (each formula exists once, there); the client only carries them.
        self.params = {k: dict(v) for k, v in params.items()} if params is not None else None
        self.timeout_s = timeout_s
        self.batch_size = batch_size
        self.retry = retry or RetryPolicy()
        self.connect_timeout_s = connect_timeout_s
        # The recipe the service applied last, {"name": ..., "weights": {...}}, for the record.
        self.last_recipe: dict[str, Any] | None = None
        # Opened on first use and closed by close(), or when the client is collected or the
        # interpreter exits (a module-level client in a reward function is never closed by
        # hand; an open socket at exit is a ResourceWarning).
        self._sync: httpx.Client | None = None
        self._async: httpx.AsyncClient | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._takes_params: bool | None = None

    # ---- request building -------------------------------------------------------------------

    def _body(
        self,
        items: Sequence[Item],
        recipe: str | None,
        weights: Mapping[str, float] | None,
        timeout_s: float | None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"items": [dict(item) for item in items]}
        recipe = recipe if recipe is not None else self.recipe
        weights = weights if weights is not None else self.weights
        if recipe is not None:
            body["recipe"] = recipe
        if weights is not None:
            body["weights"] = dict(weights)
        params = self._params(params)
        if params:
            body["params"] = params
        body["timeout_s"] = timeout_s if timeout_s is not None else self.timeout_s
        return body

    def _params(self, params: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
        params = params if params is not None else self.params
        return {name: dict(values) for name, values in (params or {}).items()}

    def _require_params_support(self) -> None:
        if not self.takes_params():
            raise RewardServiceError(
                f"the reward service at {self.url} does not take component parameters "
                "(CONTRACT v2 `params`): it would grade with its defaults instead. Upgrade it, "
                "or use the default parameters."
            )

    def _http_timeout(self, budget_s: float) -> httpx.Timeout:
        return httpx.Timeout(budget_s + _TIMEOUT_MARGIN_S, connect=self.connect_timeout_s)

    def _results(self, body: dict[str, Any], response: httpx.Response) -> list[RewardResult]:
        payload = response.json()
        if isinstance(payload.get("recipe"), dict):
            self.last_recipe = payload["recipe"]
        raw_results = payload.get("results")
        if not isinstance(raw_results, list) or len(raw_results) != len(body["items"]):
            raise RewardServiceError(
                f"the service answered {len(raw_results or [])} results "
                f"for {len(body['items'])} items",
                response.status_code,
                payload,
            )
        return [parse_result(raw) for raw in raw_results]

    @staticmethod
    def _refusal(response: httpx.Response) -> RewardServiceError:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        return RewardServiceError(
            f"{response.request.method} {response.request.url} was refused with "
            f"{response.status_code}: {body}",
            response.status_code,
            body,
        )

    def _unavailable(self, last_problem: str) -> RewardServiceError:
        return RewardServiceError(
            f"the reward service at {self.url} stayed unavailable after "
            f"{self.retry.max_retries + 1} attempts ({last_problem}); is `rewardd serve` running "
            f"there? Set REWARDD_URL to point elsewhere."
        )

    # ---- sync -------------------------------------------------------------------------------

    def _is_final(self, response: httpx.Response) -> bool:
        """True for a success; raises for a refusal (4xx); False when worth retrying."""
        if _is_retryable_status(response.status_code):
            return False
        if response.is_success:
            return True
        raise self._refusal(response)

    def _client(self) -> httpx.Client:
        if self._sync is None:  # first use, or closed: (re)open, so a closed client still works
            self._sync = httpx.Client(base_url=self.url)
            weakref.finalize(self, self._sync.close)
        return self._sync

    def _post(self, path: str, body: dict[str, Any], budget_s: float) -> httpx.Response:
        last_problem = ""
        for attempt in range(self.retry.max_retries + 1):
            retry_after = None
            try:
                response = self._client().post(
                    path, json=body, timeout=self._http_timeout(budget_s)
                )
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if self._is_final(response):
                    return response
                last_problem = f"HTTP {response.status_code}"
                retry_after = retry_after_seconds(response)
            if attempt < self.retry.max_retries:
                time.sleep(self.retry.wait_s(attempt, retry_after))
        raise self._unavailable(last_problem)

    def grade(
        self,
        items: Sequence[Item],
        *,
        recipe: str | None = None,
        weights: Mapping[str, float] | None = None,
        timeout_s: float | None = None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[RewardResult]:
        """Grade `items` (CONTRACT.md ITEM dicts), in order, one result per item."""
        if self._params(params):
            self._require_params_support()
        results: list[RewardResult] = []
        for chunk in batches(items, self.batch_size):
            body = self._body(chunk, recipe, weights, timeout_s, params)
            response = self._post("/v1/rewards", body, body["timeout_s"])
            results.extend(self._results(body, response))
        return results

    def rewards(self, items: Sequence[Item], **options: Any) -> list[float | None]:
        return [result.reward for result in self.grade(items, **options)]

    def get_reward(
        self,
        query: Sequence[str],
        prompts: Sequence[str],
        labels: Sequence[Any],
        *,
        recipe: str | None = None,
    ) -> dict[str, Any]:
        """OpenRLHF's remote reward protocol, for checking a setup by hand."""
        path = "/get_reward" + (f"?recipe={recipe}" if recipe else "")
        body = {"query": list(query), "prompts": list(prompts), "labels": list(labels)}
        return self._post(path, body, self.timeout_s).json()

    def takes_params(self) -> bool:
        """Whether the service applies CONTRACT v2 component parameters. One probe, remembered:
        such a service refuses (422) a parameter it does not know; an older one ignores the
        key, which would silently grade with its defaults."""
        if self._takes_params is None:
            probe = {
                "items": [{"completion": ""}],
                "weights": {"format": 1.0},
                "params": {"format": {"no_such_parameter": 0}},
            }
            try:
                self._post("/v1/rewards", probe, self.connect_timeout_s)
            except RewardServiceError as refusal:
                if refusal.status_code != 422:
                    raise
                self._takes_params = True
            else:
                self._takes_params = False
        return self._takes_params

    def healthy(self) -> bool:
        try:
            return self._client().get("/healthz", timeout=self.connect_timeout_s).is_success
        except httpx.TransportError:
            return False

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    def __enter__(self) -> RewardClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- async ------------------------------------------------------------------------------

    def _aclient(self) -> httpx.AsyncClient:
        # An httpx.AsyncClient belongs to the event loop that opened it; a trainer may call
        # from several loops in turn (verl's reward workers, asyncio.run per call).
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            self._async = httpx.AsyncClient(base_url=self.url)
            self._async_loop = loop
        return self._async

    async def _apost(self, path: str, body: dict[str, Any], budget_s: float) -> httpx.Response:
        last_problem = ""
        for attempt in range(self.retry.max_retries + 1):
            retry_after = None
            try:
                response = await self._aclient().post(
                    path, json=body, timeout=self._http_timeout(budget_s)
                )
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if self._is_final(response):
                    return response
                last_problem = f"HTTP {response.status_code}"
                retry_after = retry_after_seconds(response)
            if attempt < self.retry.max_retries:
                await asyncio.sleep(self.retry.wait_s(attempt, retry_after))
        raise self._unavailable(last_problem)

    async def agrade(
        self,
        items: Sequence[Item],
        *,
        recipe: str | None = None,
        weights: Mapping[str, float] | None = None,
        timeout_s: float | None = None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[RewardResult]:
        """Like `grade`, with the batches sent concurrently."""
        if self._params(params):
            await asyncio.to_thread(self._require_params_support)

        async def grade_chunk(chunk: Sequence[Item]) -> list[RewardResult]:
            body = self._body(chunk, recipe, weights, timeout_s, params)
            response = await self._apost("/v1/rewards", body, body["timeout_s"])
            return self._results(body, response)

        chunks = await asyncio.gather(*(grade_chunk(c) for c in batches(items, self.batch_size)))
        return [result for chunk in chunks for result in chunk]

    async def arewards(self, items: Sequence[Item], **options: Any) -> list[float | None]:
        return [result.reward for result in await self.agrade(items, **options)]

    async def aclose(self) -> None:
        # A client of another (perhaps closed) loop cannot be closed from this one: drop it.
        if self._async is not None and self._async_loop is asyncio.get_running_loop():
            await self._async.aclose()
        self._async = None
        self._async_loop = None
        self.close()

    async def __aenter__(self) -> RewardClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
