"""The HTTP service (see CONTRACT.md)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from rewardd import metrics
from rewardd.api.limits import BodyLimits, RequestIds, printable
from rewardd.api.openrlhf import items_of, response_of, weights_for
from rewardd.api.schemas import (
    ExecuteRequest,
    ExecuteResponse,
    JobAccepted,
    JobStatus,
    OpenRLHFRequest,
    OpenRLHFResponse,
    RewardsRequest,
    RewardsResponse,
)
from rewardd.backends import INVALID_REQUEST, BrokerUnavailable, make_backend
from rewardd.cache import ResultCache
from rewardd.config import Settings, get_settings
from rewardd.jobs import JobStore, MemoryJobStore, RedisJobStore
from rewardd.recipes import RECIPES
from rewardd.service import Overloaded, RewardService

log = logging.getLogger("rewardd.api")

RETRY_AFTER_S = "1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        backend = make_backend(settings)
        app.state.service = RewardService(
            backend, ResultCache(settings.cache_entries), settings.max_pending_items
        )
        app.state.jobs = (
            RedisJobStore(settings.broker_url, settings.job_ttl_s)
            if settings.broker_url
            else MemoryJobStore(settings.job_ttl_s)
        )
        app.state.job_tasks = set()
        # Asking now opens the sandbox, so the log says which one `auto` chose (so does
        # /readyz) and a newcomer sees at once what is down.
        problems = await backend.problems()
        log.info(
            "rewardd ready in %s mode; sandbox: %s",
            backend.mode,
            backend.sandbox_name() or "in the workers",
        )
        for part, problem in problems.items():
            log.warning("not ready yet: %s: %s", part, problem)
        yield
        backend.close()

    # Swagger UI and ReDoc served from the package: /docs works on air-gapped clusters.
    app = FastAPIOffline(
        title="rewardd",
        version="1",
        summary="Verifiable rewards and a code sandbox for RL training of reasoning models.",
        lifespan=lifespan,
    )
    app.add_middleware(
        BodyLimits,
        max_bytes=settings.max_body_bytes,
        read_timeout_s=settings.body_read_timeout_s,
    )
    app.add_middleware(RequestIds)
    _add_error_handlers(app)
    _add_routes(app, settings)
    return app


def _error(status: int, loc: list[Any], msg: str, kind: str) -> JSONResponse:
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": kind}]}, status_code=status)


def _too_large(loc: list[Any], text: str, limit: int, what: str) -> JSONResponse | None:
    size = len(text.encode())  # the schema refused lone surrogates: this always encodes
    if size <= limit:
        return None
    return _error(413, loc, f"{what} is {size} bytes; the limit is {limit}", "too_large")


def _unavailable(message: str) -> JSONResponse:
    return JSONResponse(
        {"detail": message}, status_code=503, headers={"Retry-After": RETRY_AFTER_S}
    )


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BrokerUnavailable)
    async def broker_down(request: Request, exc: BrokerUnavailable) -> JSONResponse:
        return _unavailable(str(exc))

    @app.exception_handler(Overloaded)
    async def overloaded(request: Request, exc: Overloaded) -> JSONResponse:
        return _unavailable(f"overloaded: {exc}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI answers a body json.loads cannot read (nested past the recursion limit,
        # not UTF-8, an integer of 5000 digits) with a bare 400; the contract says a 422
        # that names the problem.
        cause = exc.__cause__
        if exc.status_code == 400 and isinstance(cause, RecursionError | ValueError):
            if isinstance(cause, RecursionError):
                problem = "is nested too deeply"
            elif isinstance(cause, UnicodeDecodeError):
                problem = f"is not UTF-8 ({cause.reason} at byte {cause.start})"
            else:
                problem = f"cannot be read: {cause}"
            return _error(422, ["body"], f"the JSON body {problem}", "json_invalid")
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # The input itself is not echoed, and a dict key in `loc` may be the bad text itself.
        errors = [
            {
                "loc": [printable(part) for part in e.get("loc", ())],
                "msg": printable(e.get("msg", "")),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Last resort: logged with its request id, answered as JSON; tests hunt these down.
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, 500)


def _check_item_sizes(items: list[dict[str, Any]], settings: Settings) -> JSONResponse | None:
    for index, item in enumerate(items):
        loc = ["body", "items", index]
        problem = _too_large(
            [*loc, "completion"], item["completion"], settings.max_completion_bytes, "completion"
        ) or _too_large(
            [*loc, "prompt"], item.get("prompt") or "", settings.max_prompt_bytes, "prompt"
        )
        if problem:
            return problem
    return None


def _check_openrlhf_sizes(body: OpenRLHFRequest, settings: Settings) -> JSONResponse | None:
    # A query is a prompt and a completion.
    query_limit = settings.max_completion_bytes + settings.max_prompt_bytes
    for index, query in enumerate(body.query):
        if problem := _too_large(["body", "query", index], query, query_limit, "query"):
            return problem
    for index, prompt in enumerate(body.prompts or []):
        where = ["body", "prompts", index]
        if problem := _too_large(where, prompt, settings.max_prompt_bytes, "prompt"):
            return problem
    for index, label in enumerate(body.labels or []):
        text = label if isinstance(label, str) else json.dumps(label, ensure_ascii=False)
        where = ["body", "labels", index]
        if problem := _too_large(where, text, settings.max_body_bytes, "label"):
            return problem
    return None


def _add_routes(app: FastAPI, settings: Settings) -> None:
    def service(request: Request) -> RewardService:
        return request.app.state.service

    @app.post(
        "/v1/rewards",
        response_model=RewardsResponse,
        responses={413: {"description": "body or completion too large"}, 503: {}},
        tags=["rewards"],
    )
    async def rewards(body: RewardsRequest, request: Request) -> Any:
        """Grade a batch of completions and wait for the results."""
        items = [item.wire() for item in body.items]
        too_large = _check_item_sizes(items, settings)
        if too_large:
            return too_large
        graded = await service(request).grade(items, body.recipe, body.weights, body.timeout_s)
        return {
            "results": graded.results,
            "recipe": {"name": graded.recipe, "weights": graded.weights},
            "elapsed_ms": round(graded.elapsed_ms, 3),
        }

    @app.post("/v1/jobs", status_code=202, response_model=JobAccepted, tags=["rewards"])
    async def submit_job(body: RewardsRequest, request: Request) -> Any:
        """Grade a batch asynchronously; poll GET /v1/jobs/{job_id}."""
        items = [item.wire() for item in body.items]
        too_large = _check_item_sizes(items, settings)
        if too_large:
            return too_large
        job_id = uuid.uuid4().hex
        jobs: JobStore = request.app.state.jobs
        await asyncio.to_thread(jobs.save, job_id, {"job_id": job_id, "status": "queued"})
        task = asyncio.create_task(_run_job(request.app, job_id, items, body))
        request.app.state.job_tasks.add(task)
        task.add_done_callback(request.app.state.job_tasks.discard)
        return {"job_id": job_id, "status": "queued"}

    @app.get(
        "/v1/jobs/{job_id}",
        response_model=JobStatus,
        responses={404: {"description": "unknown job id"}},
        tags=["rewards"],
    )
    async def job_status(job_id: str, request: Request) -> Any:
        job = await asyncio.to_thread(request.app.state.jobs.load, job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r} (unknown, or expired)")
        return job

    @app.post("/get_reward", response_model=OpenRLHFResponse, tags=["adapters"])
    async def get_reward(
        body: OpenRLHFRequest,
        request: Request,
        recipe: str = Query("r1", description="recipe to score with"),
    ) -> Any:
        """OpenRLHF's remote reward model protocol: `rewards` is the recipe's reward, `scores`
        the accuracy. Ungradable items score 0.0 (OpenRLHF needs numbers) and are flagged with
        1.0 in `extra_logs.ungraded`, as is every item with an error."""
        if recipe not in RECIPES:
            return _error(
                422, ["query", "recipe"], f"unknown recipe {printable(recipe)!r}", "value_error"
            )
        too_large = _check_openrlhf_sizes(body, settings)
        if too_large:
            return too_large
        # Stripping prompts and end tokens scans every query: not on the event loop.
        items = await asyncio.to_thread(items_of, body.query, body.prompts, body.labels)
        # `scores` are the accuracy (OpenRLHF's dynamic filtering), even where the recipe
        # leaves it out: weights_for adds it at weight 0.
        weights = weights_for(recipe)
        graded = await service(request).grade(items, weights=weights)
        return response_of(graded.results, weights)

    @app.post("/v1/execute", response_model=ExecuteResponse, tags=["sandbox"])
    async def execute(body: ExecuteRequest, request: Request) -> Any:
        """Run code in the sandbox: no network, limits on memory, processes, output, time."""
        backend = service(request).backend
        result = await backend.execute(body.model_dump())
        if result["status"] == INVALID_REQUEST:
            return _error(422, ["body"], result["message"], "value_error")
        return result

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "names what is down"}})
    async def readyz(request: Request) -> Any:
        backend = service(request).backend
        problems = await backend.problems()
        state = {"mode": backend.mode, "sandbox": backend.sandbox_name(), "problems": problems}
        if problems:
            return JSONResponse(
                {"status": "unavailable", **state},
                status_code=503,
                headers={"Retry-After": RETRY_AFTER_S},
            )
        return {"status": "ready", **state}

    @app.get("/metrics", tags=["health"])
    async def prometheus(request: Request) -> Response:
        backend = service(request).backend
        metrics.QUEUE_DEPTH.set(backend.queue_depth())
        pool_size = backend.sandbox_pool_size()
        if pool_size is not None:
            metrics.SANDBOX_POOL.set(pool_size)
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")


async def _run_job(
    app: FastAPI, job_id: str, items: list[dict[str, Any]], body: RewardsRequest
) -> None:
    jobs: JobStore = app.state.jobs
    await asyncio.to_thread(jobs.save, job_id, {"job_id": job_id, "status": "running"})
    try:
        graded = await app.state.service.grade(items, body.recipe, body.weights, body.timeout_s)
        job = {
            "job_id": job_id,
            "status": "done",
            "results": graded.results,
            "recipe": {"name": graded.recipe, "weights": graded.weights},
            "error": None,
        }
    except Exception as exc:
        log.warning("job %s failed: %s", job_id, exc)
        job = {
            "job_id": job_id,
            "status": "failed",
            "results": None,
            "error": {"code": "internal", "message": str(exc)},
        }
    started = time.monotonic()
    while True:  # a job's outcome must not be lost to a short broker blip
        try:
            await asyncio.to_thread(jobs.save, job_id, job)
            return
        except Exception:
            if time.monotonic() - started > 60:
                log.error("could not store the result of job %s", job_id)
                return
            await asyncio.sleep(1)
