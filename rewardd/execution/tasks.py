"""The function grading workers run; importing this module warms everything it needs.

The forkserver preloads this module, so each respawned worker starts with sympy,
math-verify and the reward modules already imported.
"""

from __future__ import annotations

from typing import Any

from rewardd.grading import grade_item
from rewardd.rewards.language import warm_up

# Built once in the forkserver, shared copy-on-write by every worker forked from it.
warm_up()


def grade_payload(payload: dict[str, Any]) -> dict[str, Any]:
    return grade_item(payload["item"], payload["weights"])
