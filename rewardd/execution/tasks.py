"""The function grading workers run; importing this module warms everything it needs.

The forkserver preloads this module, so each respawned worker starts with sympy,
math-verify and the reward modules already imported.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from rewardd.execution.pool import call_parent
from rewardd.grading import grade_item
from rewardd.rewards import registry
from rewardd.rewards.language import warm_up
from sandbox import ExecutionRequest, ExecutionResult


class ParentSandbox:
    """The sandbox as a grading worker sees it: each job runs in the parent's warm pool.

    The parent caps the job by the task's deadline, so a job outlives no request.
    """

    name = "parent"

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        reply = call_parent("sandbox", dataclasses.asdict(request))
        return ExecutionResult(**reply)

    def problem(self) -> str | None:
        return None

    def close(self) -> None:
        pass


_PARENT_SANDBOX = ParentSandbox()

# Built once in the forkserver, shared copy-on-write by every worker forked from it.
warm_up()
# math_accuracy bounds math-verify with its own CPU-time budget and turns math-verify's
# wall-clock timeouts off on purpose; math-verify's warning about that would otherwise be
# printed by every grading process, on every `rewardd grade`.
logging.getLogger("math_verify").setLevel(logging.ERROR)
# This module runs only in grading workers, whose code items reach the sandbox this way.
registry.use_sandbox(lambda: _PARENT_SANDBOX)


def grade_payload(payload: dict[str, Any]) -> dict[str, Any]:
    return grade_item(payload["item"], payload["weights"])
