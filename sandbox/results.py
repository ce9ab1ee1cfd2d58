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
