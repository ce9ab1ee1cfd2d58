"""Solutions that try to look cheaper than they are, measured in the Docker and bwrap sandboxes.

Each does the work of the `distinct` problem's slow solution (or of busy_inline.py) somewhere
the naive measure would miss: in a child it waits for, in a child it never waits for while
it sleeps, in an orphaned grandchild, in a child that busy-waits; or it tries to tell the
timing runs from the graded one (remembering earlier runs on disk, guessing from its pid).
Each must score 0 or report at least (nearly) what the same work costs done plainly.
"""

from __future__ import annotations

import pytest

from rewardd.grading import grade_item
from rewardd.groups import score_groups
from rewardd.recipes import RECIPES
from rewardd.rewards import registry
from tests.efficiency_support import DATA, Problem, completion, problems
from tests.judge_support import open_judge_sandbox

pytestmark = pytest.mark.docker

WEIGHTS = RECIPES["code-fast"]
# Noise allowance: a hidden cost must show at least this share of the plain one.  Hidden work
# that escaped the measure reads as the fast solution does, 0.15-0.3 of the plain figure;
# honest readings of one solution spread 180-316 ms in one quiet run here (0.65 in a CI run).
AT_LEAST = 0.5


# bwrap runs the judge and the cases under one uid, where the judge finds the solution's
# strays by descent rather than by uid: both ways must count them.
@pytest.fixture(scope="module", params=["docker", "bwrap"])
def sandbox(request):
    box = open_judge_sandbox(request.param)
    registry.use_sandbox(lambda: box)
    yield box
    registry.use_sandbox(None)
    box.close()


@pytest.fixture(scope="module")
def distinct() -> Problem:
    return next(problem for problem in problems() if problem.name == "distinct")


def hostile(name: str) -> str:
    return (DATA / "hostile" / f"{name}.py").read_text(encoding="utf-8")


def grade_group(problem: Problem, codes: dict[str, str]) -> dict[str, dict]:
    items = [
        {"id": name, "prompt": "p", "completion": completion(code), "reference": problem.reference}
        for name, code in codes.items()
    ]
    results = [grade_item(item, WEIGHTS) for item in items]
    return {r["id"]: r for r in score_groups(items, results, WEIGHTS)}


def cost(result: dict) -> float:
    return result["details"]["efficiency"]["cost_ms"]


def plain_cost(graded: dict[str, dict], name: str) -> float:
    """The plain work's cost, graded before and after the attack: the lower of the two.  CPU
    time only grows with contention, and one plain figure read 1.5x its usual value in a CI
    run (218 ms against 147 for the attack that had to do the same work), failing a sound
    attack test on noise.  A real gain still shows against either figure."""
    return min(cost(graded[name]), cost(graded[f"{name}_again"]))


@pytest.mark.parametrize(
    "name", ["child_waited", "sleeping_parent", "orphan", "remembers_runs", "pid_pattern"]
)
def test_hidden_or_skipped_work_does_not_look_cheap(sandbox, distinct, name):
    graded = grade_group(
        distinct,
        {
            "fast": distinct.solution("fast"),
            "slow": distinct.solution("slow"),
            name: hostile(name),
            "slow_again": distinct.solution("slow"),
        },
    )
    for result in graded.values():
        assert result["error"] is None, result["error"]
    attack = graded[name]
    if attack["components"]["efficiency"] == 0.0:
        return  # it failed a run (or every run): no efficiency to gain
    assert cost(attack) >= AT_LEAST * plain_cost(graded, "slow"), attack["details"]["efficiency"]
    assert attack["components"]["efficiency"] < graded["fast"]["components"]["efficiency"]


def test_a_child_that_busy_waits_while_the_parent_sleeps_counts(sandbox, distinct):
    graded = grade_group(
        distinct,
        {
            "fast": distinct.solution("fast"),
            "busy_inline": hostile("busy_inline"),
            "busy_child": hostile("busy_child"),
            "busy_inline_again": hostile("busy_inline"),
        },
    )
    for result in graded.values():
        assert result["error"] is None, result["error"]
    spinning = graded["busy_child"]
    assert spinning["components"]["code"] == 1.0
    assert cost(spinning) >= AT_LEAST * plain_cost(graded, "busy_inline"), spinning["details"]
    assert spinning["components"]["efficiency"] < 1.0
