"""The efficiency component's arithmetic and its timed job layout, without a sandbox."""

from __future__ import annotations

import itertools

import pytest

from rewardd.groups import score_groups
from rewardd.recipes import RECIPES, resolve_weights
from rewardd.rewards import efficiency
from rewardd.rewards.code_cases import BadReference
from rewardd.rewards.efficiency import (
    DEAD_BAND,
    REPEATS,
    efficiency_score,
    group_efficiency,
    split_timed,
    timed_plan,
)
from rewardd.rewards.registry import COMPONENTS, GROUP_COMPONENTS
from rewardd.rewards.types import Score

STDIO = {"test_cases": [{"input": "1\n", "output": "1"}, {"input": "2\n", "output": "2"}]}


def measured(cost_ms: float, **extra) -> dict:
    return {"passed": True, "cost_ms": cost_ms, "perf_cases": 1, **extra}


def test_the_recipe_and_the_component_are_registered():
    assert RECIPES["code-fast"] == {"code": 1.0, "efficiency": 0.3, "lint": 0.2, "format": 0.3}
    assert resolve_weights("code-fast", None)[1]["efficiency"] == 0.3
    assert "efficiency" in COMPONENTS and "efficiency" in GROUP_COMPONENTS


def test_the_score_is_one_inside_the_dead_band_then_falls_monotonically():
    assert efficiency_score(1.0) == 1.0
    assert efficiency_score(1.0 + DEAD_BAND) == 1.0
    ratios = [1.0 + DEAD_BAND + 0.01 * k for k in range(1, 1000)]
    values = [efficiency_score(r) for r in ratios]
    assert all(a > b for a, b in itertools.pairwise(values))
    assert values[0] == pytest.approx(1.0, abs=0.01)  # continuous at the edge of the band
    assert efficiency_score(3.0) == pytest.approx((1 + DEAD_BAND) / 3)
    assert 0 < efficiency_score(1000.0) < 0.01


def test_the_cheapest_passing_item_scores_one_and_a_failing_one_zero():
    steps = [
        measured(20.0),
        measured(80.0),
        {"passed": False, "failure": "case 1: wrong output"},
        measured(21.0),  # a near-tie with the cheapest: noise must not order it
        {"reason": "not measured: the sandbox failed"},
    ]
    scores = group_efficiency(["a", "b", "c", "d", "e"], steps)
    values = [score.value for score in scores]
    assert values[0] == 1.0 and values[3] == 1.0
    assert 0 < values[1] < 1 and values[2] == 0.0 and values[4] is None
    slow = scores[1].details
    assert slow["baseline_ms"] == 20.0 and slow["ratio"] == pytest.approx(81 / 21, rel=1e-3)
    assert slow["cost_ms"] == 80.0 and "median" in slow["measured"]
    assert "cheapest" in slow["baseline"]


def test_a_reference_solution_is_the_baseline_instead_of_the_group():
    steps = [measured(30.0, reference_ms=10.0), measured(5.0, reference_ms=10.0)]
    slower, faster = group_efficiency(["a", "b"], steps)
    assert slower.value == pytest.approx((1 + DEAD_BAND) / (31 / 11))
    assert faster.value == 1.0  # faster than the reference: the most there is
    assert slower.details["baseline"] == "the reference solution"


def test_a_lone_passing_item_scores_one_and_a_group_with_none_passing_scores_zero():
    assert [s.value for s in group_efficiency(["a"], [measured(500.0)])] == [1.0]
    failing = [{"passed": False, "failure": "x"}] * 2
    assert [s.value for s in group_efficiency(["a", "b"], failing)] == [0.0, 0.0]


def test_groups_split_across_requests_are_scored_per_request():
    """Each request is scored on its own items: the cheapest of each request scores 1."""

    def result(cost_ms: float) -> dict:
        return {
            "components": {"efficiency": None},
            "details": {"efficiency": {"reason": "", **measured(cost_ms)}},
            "reward": None,
        }

    items = [{"prompt": "p", "completion": c, "reference": STDIO} for c in ("a", "b")]
    weights = {"efficiency": 1.0}
    together = score_groups(items, [result(10.0), result(100.0)], weights)
    assert together[0]["components"]["efficiency"] == 1.0
    assert together[1]["components"]["efficiency"] < 0.2
    alone = score_groups(items[1:], [result(100.0)], weights)
    assert alone[0]["components"]["efficiency"] == 1.0


def test_without_perf_cases_every_case_runs_repeats_times_in_all():
    timed = timed_plan(STDIO)
    assert timed.ordinary == 2 and len(timed.plan.cases) == 2 * REPEATS
    assert timed.runs == [list(range(0, 2 * REPEATS, 2)), list(range(1, 2 * REPEATS, 2))]
    for runs in timed.runs:  # each run of a case is that case, as the judge sends it
        first = timed.plan.cases[runs[0]]
        for position in runs[1:]:
            repeat = timed.plan.cases[position]
            assert {**repeat, "name": ""} == {**first, "name": ""}


def test_perf_cases_are_appended_repeats_times_after_the_ordinary_cases():
    reference = {**STDIO, "perf_cases": [{"input": "9\n", "output": "9"}]}
    timed = timed_plan(reference)
    assert timed.ordinary == 2 and len(timed.plan.cases) == 2 + REPEATS
    assert timed.runs == [list(range(2, 2 + REPEATS))]
    assert all(timed.plan.cases[i]["input"] == "9\n" for i in timed.runs[0])


def test_perf_cases_of_test_code_refer_to_their_own_source():
    reference = {
        "tests": "def test_a():\n    assert f() == 1\n",
        "perf_cases": "def test_big():\n    assert f() == 1\n",
    }
    timed = timed_plan(reference)
    assert len(timed.plan.sources) == 2
    assert all(timed.plan.cases[i]["source"] == 1 for i in timed.runs[0])
    assert timed.plan.cases[0]["source"] == 0


def test_functional_perf_cases_and_bad_ones():
    reference = {"fn_name": "f", "test_cases": [{"input": [1], "output": 1}]}
    timed = timed_plan({**reference, "perf_cases": [{"input": [5], "output": 5}]})
    assert timed.plan.cases[timed.runs[0][0]]["args"] == [5]
    with pytest.raises(BadReference, match="perf_cases"):
        timed_plan({**reference, "perf_cases": [{"input": 5}]})
    with pytest.raises(BadReference, match="perf_cases"):
        timed_plan({**reference, "perf_cases": "not a list"})


def job_score(cases: list[dict]) -> Score:
    passed = sum(case["passed"] for case in cases)
    return Score(passed / len(cases), "", {"passed": passed, "total": len(cases), "cases": cases})


def test_the_code_share_counts_the_ordinary_cases_only_and_every_run_must_pass():
    reference = {**STDIO, "perf_cases": [{"input": "9\n", "output": "9"}]}
    timed = timed_plan(reference)
    cases = [{"name": c["name"], "passed": True, "cpu_ms": 10.0} for c in timed.plan.cases]
    score = split_timed(job_score(cases), timed)
    assert score.value == 1.0 and score.details["total"] == 2
    assert score.details["timing"]["all_passed"] is True
    assert score.details["timing"]["samples_ms"] == [[10.0] * REPEATS]
    # One timing run behaves differently (it guessed it was being timed): not all passed.
    cases[-1] = {**cases[-1], "passed": False, "reason": "wrong output"}
    score = split_timed(job_score(cases), timed)
    assert score.value == 1.0  # the code component is what the untimed run gives
    assert score.details["timing"]["all_passed"] is False
    assert "timing run" in score.details["timing"]["failure"]


def test_a_perf_case_that_is_also_a_graded_case_counts_the_graded_run():
    """The graded run may be where the work was done before the repeats read it back."""
    reference = {**STDIO, "perf_cases": [{"input": "2\n", "output": "2"}]}
    timed = timed_plan(reference)
    assert timed.runs == [[1, *range(2, 2 + REPEATS)]]
    tests = "def test_a():\n    assert f() == 1\n"
    timed = timed_plan({"tests": tests, "perf_cases": tests})
    assert timed.runs[0][0] == 0 and len(timed.runs[0]) == 1 + REPEATS


def test_figures_are_medians_unless_the_first_run_did_work_the_repeats_skipped():
    # Runs within the dead band of each other: the steadier median.
    assert efficiency.figures_ms([[300.0, 290.0, 310.0], [5.0, 5.0, 5.5]]) == [300.0, 5.0]
    # A spike of load in a later run is noise: the median keeps it out.
    assert efficiency.figures_ms([[300.0, 290.0, 310.0, 900.0, 295.0]]) == [300.0]
    # The first run did the work and the repeats read the answer back (seen: the pid counter
    # as a channel, cpu_ms [679, 138, 130, 190, 297]): the run that did the work is the cost.
    assert efficiency.figures_ms([[679.0, 138.0, 130.0, 190.0, 297.0]]) == [679.0]
    assert efficiency.figures_ms([[1.0, None, 2.0]]) is None
    assert efficiency.net_cost_ms([2.0, 5.0], [3.0, 1.0]) == 4.0
