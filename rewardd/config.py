"""Settings, from REWARDD_* environment variables; every one has a default that works."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REWARDD_", extra="ignore")

    broker_url: str | None = Field(
        None, description="redis://... to hand work to Celery workers; unset = embedded mode"
    )
    sandbox: Literal["docker", "local", "auto"] = "auto"
    pool_size: int | None = Field(None, ge=1, description="grading processes; default: cores")
    math_item_timeout_s: float = Field(
        60.0,
        gt=0,
        # Far above the 4 s + 4 s CPU budgets of math_budget: on a loaded host the CPU
        # budget, not this wall-clock kill, must decide (contract v2: load-independent).
        description="wall-clock backstop per math item",
    )
    code_threads: int = Field(
        8, ge=1, description="code items graded at once (killable processes) per host"
    )
    code_item_timeout_s: float = Field(
        120.0, gt=0, description="hard deadline per code item, sandbox run included"
    )
    max_body_bytes: int = Field(32 * 1024 * 1024, ge=1024, description="413 above this")
    max_completion_bytes: int = Field(
        1024 * 1024, ge=1, description="413 for a completion (or OpenRLHF query) above this"
    )
    max_prompt_bytes: int = Field(
        1024 * 1024, ge=1, description="413 for a prompt or an OpenRLHF label above this"
    )
    header_timeout_s: float = Field(
        30.0,
        gt=0,
        description="a connection that sends no complete request line and "
        "headers within this is closed",
    )
    body_read_timeout_s: float = Field(
        60.0, gt=0, description="a request body not received within this gets a 408"
    )
    max_connections: int = Field(
        1024, ge=1, description="connections served at once; more are answered 503"
    )
    keep_alive_s: int = Field(5, ge=1, description="idle keep-alive connections close after")
    max_pending_items: int = Field(65536, ge=1, description="above this, answer 503")
    cache_entries: int = Field(200_000, ge=0, description="results kept for identical items")
    chunk_size: int = Field(32, ge=1, description="items per Celery task")
    visibility_timeout_s: float = Field(
        60.0, gt=0, description="an unacknowledged task is redelivered after this long"
    )
    job_ttl_s: int = Field(24 * 3600, ge=60, description="how long job results are kept")
    log_json: bool = True


@lru_cache
def get_settings() -> Settings:
    return Settings()
