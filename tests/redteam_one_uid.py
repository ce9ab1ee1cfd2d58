"""Grade one completion on the one-uid backend (rootless bubblewrap), for the red-team suite.

Run as an unprivileged user (tests/test_redteam_judge.py starts it with `runuser -u nobody`):
bubblewrap then has no root to give the judge, and judge and cases share one uid.

    python3 tests/redteam_one_uid.py < {"completion": ..., "reference": ...}
prints {"value": float | null, "error": str | null, "passed": int | null, "total": int | null}
"""

from __future__ import annotations

import json
import sys

from rewardd.rewards.code import run_cases
from rewardd.rewards.types import GradingInput
from sandbox.limits import SandboxSettings
from sandbox.local_backend import BwrapSandbox


def main() -> None:
    item = json.loads(sys.stdin.read())
    box = BwrapSandbox(SandboxSettings.from_env())
    try:
        problem = box.problem()
        if problem is not None:
            print(json.dumps({"problem": problem}))
            return
        grading = GradingInput(
            completion=item["completion"], task="code", reference=item["reference"]
        )
        score = run_cases(grading, box)
    finally:
        box.close()
    print(
        json.dumps(
            {
                "value": score.value,
                "error": score.error.code if score.error else None,
                "passed": score.details.get("passed"),
                "total": score.details.get("total"),
            }
        )
    )


if __name__ == "__main__":
    main()
