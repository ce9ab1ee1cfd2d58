"""Building ExecutionResults: from a runner outcome, or for an infrastructure failure."""

from __future__ import annotations

from sandbox import ExecutionResult
from sandbox.runner import Outcome


def result_from_outcome(outcome: Outcome) -> ExecutionResult:
    return ExecutionResult(
        status=outcome.status,
        exit_code=outcome.exit_code,
        stdout=outcome.stdout.decode("utf-8", "replace"),
        stderr=outcome.stderr.decode("utf-8", "replace"),
        duration_ms=outcome.duration_ms,
        truncated=outcome.truncated,
        cpu_ms=outcome.cpu_ms,
    )


def result_from_reply(reply: dict) -> ExecutionResult:
    """From the in-sandbox runner's answer (sandbox/runner.py: run_job)."""
    return ExecutionResult(
        status=reply["status"],
        exit_code=reply["exit_code"],
        stdout=reply["stdout"],
        stderr=reply["stderr"],
        duration_ms=reply["duration_ms"],
        truncated=reply["truncated"],
        cpu_ms=reply.get("cpu_ms"),
    )


def infra_error(message: str) -> ExecutionResult:
    """status sandbox_error: the sandbox, not the code, failed; message says what."""
    return ExecutionResult(
        status="sandbox_error",
        exit_code=None,
        stdout="",
        stderr=message,
        duration_ms=0.0,
        truncated=False,
    )
