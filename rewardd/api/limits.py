"""ASGI middleware: body limits (size, and time to arrive) and request ids."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
import uuid
from typing import Any

from rewardd import metrics

log = logging.getLogger("rewardd.access")

# The id of the request being served; every log record made while serving it carries it.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    request_id = current_request_id.get()
    if request_id is not None:
        record.request_id = request_id
    return record


# A record factory, not a handler filter: it holds whoever configures the handlers, and
# asyncio.to_thread copies the context, so work done in threads for a request is tagged too.
logging.setLogRecordFactory(_record_with_request_id)

Scope = dict[str, Any]


def printable(value: Any) -> Any:
    """`value` safe to put in a JSON response: lone surrogates become \\udXXX escapes."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


class BodyLimits:
    """Reads the whole body before the app sees it, within a size and a time limit.

    - Over `max_bytes` (declared, or counted as a chunked body arrives): 413, without
      reading the rest into memory.
    - Not complete within `read_timeout_s` of the request's start: 408, and the
      connection closes.  A client that sends a byte every few seconds would otherwise
      hold a connection (and its buffer) for as long as it likes.
    """

    def __init__(self, app: Any, max_bytes: int, read_timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _reject(send, 413, f"request body is over the limit of {self.max_bytes} bytes")
            return
        try:
            async with asyncio.timeout(self.read_timeout_s):
                body = await self._read_body(receive)
        except TimeoutError:
            log.info("request body not received within %g s; closing", self.read_timeout_s)
            await _reject(
                send,
                408,
                f"the request body did not arrive within {self.read_timeout_s:g} s",
                "timeout",
            )
            return
        if body is None:
            return  # the client went away
        if len(body) > self.max_bytes:
            await _reject(send, 413, f"request body is over the limit of {self.max_bytes} bytes")
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Any) -> bytes | None:
        """The body, or None when the client left; stops reading just past the limit."""
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            seen += len(chunk)
            chunks.append(chunk)
            if seen > self.max_bytes or not message.get("more_body", False):
                return b"".join(chunks)


async def _reject(send: Any, status: int, message: str, kind: str = "too_large") -> None:
    body = json.dumps({"detail": [{"loc": ["body"], "msg": message, "type": kind}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def header_deadline_protocol(timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, closing connections that start no request within `timeout_s`.

    The app only sees a request once its headers are in, so neither BodyLimits nor anything
    else in ASGI can stop a client that sends its headers a byte at a time; with a cap on
    connections (uvicorn's limit_concurrency), a few such clients would lock everyone out.
    """
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class HeaderDeadline(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._cycle_seen = self.cycle
            self._header_check = self.loop.call_later(timeout_s, self._check_progress)

        def _check_progress(self) -> None:
            # uvicorn sets `cycle` when a request's headers are complete.
            no_new_request = self.cycle is self._cycle_seen
            if no_new_request and (self.cycle is None or self.cycle.response_complete):
                log.info("no request within %g s on a connection; closing", timeout_s)
                self.transport.close()
                return
            self._cycle_seen = self.cycle
            self._header_check = self.loop.call_later(timeout_s, self._check_progress)

        def connection_lost(self, exc: Exception | None) -> None:
            self._header_check.cancel()
            super().connection_lost(exc)

    return HeaderDeadline


class RequestIds:
    """Echoes (or makes) X-Request-ID, and logs and counts every request with it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode(errors="replace")
        request_id = incoming[:128] or uuid.uuid4().hex
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        token = current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            metrics.REQUESTS.labels(route=path, status=str(status)).inc()
            metrics.REQUEST_SECONDS.labels(route=path).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                },
            )
            current_request_id.reset(token)
