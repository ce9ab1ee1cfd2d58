"""The `efficiency` component (CONTRACT v2): among correct solutions, the cheaper scores more.

    timed_run(item, sandbox)          the code run with timing repeats (one sandbox job)
    item_efficiency(item, run, ...)   per item: the measured cost, before the group is known
    group_efficiency(completions, s)  per group: each passing item's score from the cost ratio

Cost, in CPU milliseconds (see docs/rewards-efficiency.md for the figures behind each choice):
- The perf cases are `reference.perf_cases` (in the reference's own case style), else all the
  cases.  Each perf case runs REPEATS times in the item's ordinary judge job: the repeats are
  appended to its cases, so a timing run is the same case, sent the same way, as a graded one,
  and the solution cannot tell them apart (no state survives from one case to the next).
- A run's figure is the judge's `cpu_ms`: user + system CPU of the solution's processes (its
  process, the children it waited for, and the strays it left, read before they are killed).
  The judge's own processes never count, and no interpreter starts per case (the judge forks
  each case from a warm zygote).
- A perf case's figure is the MEDIAN of its runs: load and cache effects only add CPU time, and
  a lucky run cannot stand for the solution either.  When its first run costs more than twice
  the others, the figure is that first run instead: a program that computes
  once and reads its answer back in the repeats (state survives through the pid counter and
  other kernel counters) pays for the run that did the work (figures_ms).  A graded case
  with the same input as a perf case counts as one of its runs: it may be where the work
  was done.
  Cost = Σ over perf cases of max(0, figure − overhead), the overhead being the same figure
  for an empty solution on the same cases (forking, loading the code, decoding the case's
  arguments: transport, not work), measured once per reference and kept.
- Every run must pass: a solution that fails any timing run (it behaves differently when it
  thinks it is timed, or it is not deterministic) scores 0.

Score of a passing item: r = (cost + ε) / (baseline + ε), ε = RESOLUTION_MS per perf case,
baseline = the cheapest passing cost of its group, or the reference solution's cost (measured
the same way in the same sandbox, kept per reference) when `reference.reference_solution` is
given.  efficiency = 1 when r <= 1 + DEAD_BAND (a near-tie: measurement noise must not order
it), else (1 + DEAD_BAND) / r: continuous, and decreasing in r.  A failing item scores 0.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rewardd.rewards import code
from rewardd.rewards.code_cases import BadReference, CasePlan, plan_cases
from rewardd.rewards.types import GradingInput, ItemError, Score, not_applicable

if TYPE_CHECKING:
    from sandbox import Sandbox

REPEATS = 5  # runs of each perf case; odd, so the median is one run's figure
DEAD_BAND = 0.25  # cost ratios up to 1.25 are ties (noise figures: docs/rewards-efficiency.md)
RESOLUTION_MS = 1.0  # per perf case: differences far below a millisecond are not measured
# A first run stands for its case when it costs more than READ_BACK_RATIO times the median of
# the repeats, plus RUN_NOISE_MS: an honest first run is dearer by up to ~1.4x (it runs
# first in a fresh job; measured 35 vs 25 ms), and CPU time is read in scheduler ticks (4 ms
# at HZ=250).  A program reading its answer back gains at most this ratio.
READ_BACK_RATIO = 2.0
RUN_NOISE_MS = 5.0
MEASURED = (
    f"CPU time (user + system) of the solution's processes, the median of {REPEATS} runs "
    f"of each perf case in the sandbox (its first run when that costs more than "
    f"{READ_BACK_RATIO:g}x the others + {RUN_NOISE_MS:g} ms), less an empty solution's "
    "figure on the same case"
)
REFERENCE_CACHE_SIZE = 512
MAX_TIMED_CASES = 1024  # the cases of one timed job, repeats included
# An empty solution's program, by case style: what every solution pays before its own work.
EMPTY_SOLUTIONS = {
    "stdio": "",
    "test": "",
    "call": "def {name}(*args, **kwargs):\n    return None\n",
}


# --- the timed job ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimedPlan:
    """The item's cases followed by the timing repeats, and where each perf case's runs are."""

    plan: CasePlan
    ordinary: int  # the first `ordinary` cases are the reference's own cases
    runs: list[list[int]]  # per perf case, the positions of its runs in plan.cases


def timed_plan(reference: Mapping[str, Any], repeats: int = REPEATS) -> TimedPlan:
    """The cases of one timed job; raises BadReference for unusable tests or perf_cases."""
    ordinary = plan_cases(dict(reference))
    perf_cases = reference.get("perf_cases")
    if perf_cases is None:
        perf, copies, first = ordinary, repeats - 1, [[i] for i in range(len(ordinary.cases))]
    else:
        perf, copies = _perf_plan(reference, ordinary), repeats
        first = [_same_cases(case, perf, ordinary) for case in perf.cases]
    offset = len(ordinary.sources)
    cases = list(ordinary.cases)
    runs = first
    for _ in range(copies):
        for index, case in enumerate(perf.cases):
            runs[index].append(len(cases))
            timed = {**case, "name": f"{case['name']} (timing run {len(runs[index])})"}
            if perf is not ordinary and "source" in case:
                timed["source"] = case["source"] + offset
            cases.append(timed)
    if len(cases) > MAX_TIMED_CASES:
        raise BadReference(
            f"{len(perf.cases)} perf cases x {repeats} runs is over the limit of "
            f"{MAX_TIMED_CASES} cases per job; give fewer perf_cases"
        )
    sources = ordinary.sources + (perf.sources if perf is not ordinary else [])
    return TimedPlan(replace(ordinary, cases=cases, sources=sources), len(ordinary.cases), runs)


def _same_cases(perf_case: dict[str, Any], perf: CasePlan, ordinary: CasePlan) -> list[int]:
    """The positions of the graded cases that are `perf_case` again (same input, or same
    test source): the solution saw that input there first, and may have done the work there."""

    def content(case: dict[str, Any], plan: CasePlan) -> str:
        fields = {k: v for k, v in case.items() if k not in ("name", "source")}
        if "source" in case:
            fields["source"] = plan.sources[case["source"]]
        return json.dumps(fields, sort_keys=True, default=str)

    wanted = content(perf_case, perf)
    return [i for i, case in enumerate(ordinary.cases) if content(case, ordinary) == wanted]


def _perf_plan(reference: Mapping[str, Any], ordinary: CasePlan) -> CasePlan:
    """`perf_cases` planned like the reference's own cases: a list of {input, output} beside
    `test_cases`, or a string of test code beside `tests`."""
    key = "tests" if ordinary.mode == "test" else "test_cases"
    perf_reference = {k: v for k, v in reference.items() if k not in ("tests", "test_cases")}
    perf_reference[key] = reference["perf_cases"]
    try:
        perf = plan_cases(perf_reference)
    except BadReference as exc:
        raise BadReference(f"perf_cases: {exc}") from exc
    if perf.mode != ordinary.mode:
        raise BadReference(f"perf_cases are {perf.mode} cases, the tests are {ordinary.mode}")
    return perf


def timed_run(item: GradingInput, sandbox: Sandbox) -> Score:
    """The `code` score of the item (its own cases only, as code.run_cases gives it), from a
    job that also runs the timing repeats; details["timing"] holds what they measured."""
    try:
        timed = timed_plan(item.reference)
    except BadReference as exc:
        untimed = code.run_cases(item, sandbox)
        if untimed.value is None:
            return untimed
        return _with_timing(untimed, {"error": str(exc)})
    source = code.extract_code(item.completion, code.language_of(item))
    if source is None:
        return code.run_cases(item, sandbox)  # no code: nothing runs, nothing to time
    return split_timed(code.judge_code(source, timed.plan, item.reference, sandbox), timed)


def split_timed(score: Score, timed: TimedPlan) -> Score:
    """The job's score cut back to the item's own cases, with the timing runs' measurement."""
    if score.value is None or "cases" not in score.details:
        return score
    cases = score.details["cases"]
    own = cases[: timed.ordinary]
    passed = sum(1 for case in own if case.get("passed") is True)
    details = {**score.details, "passed": passed, "total": len(own), "cases": own}
    failures = [c for c in cases if c.get("passed") is not True]
    timing: dict[str, Any] = {"all_passed": not failures}
    if failures:
        timing["failure"] = f"{failures[0].get('name')}: {failures[0].get('reason')}"
    timing["samples_ms"] = [[cases[i].get("cpu_ms") for i in runs] for runs in timed.runs]
    reason = f"{passed} of {len(own)} cases passed"
    return Score(passed / len(own), reason, {**details, "timing": timing}, score.error)


def _with_timing(score: Score, timing: dict[str, Any]) -> Score:
    return Score(score.value, score.reason, {**score.details, "timing": timing}, score.error)


def figures_ms(samples: Sequence[Sequence[float | None]]) -> list[float] | None:
    """Each perf case's figure, or None when a run has no figure (it was never run).

    The median of its runs, unless its first run costs more than READ_BACK_RATIO times the
    median of the others (plus RUN_NOISE_MS): then that first run.  The first run must do
    the work, but state survives from one run to the next through channels no sandbox
    closes (the pid counter, inode numbers), so a program can compute once and read its
    answer back in the repeats; the median of such runs is the cheap read, and the first
    run is what it really costs.  A spike of load in a later run is noise, which the
    median keeps out (docs/rewards-efficiency.md).
    """
    if any(value is None for runs in samples for value in runs):
        return None
    figures = []
    for runs in samples:
        values = [float(value) for value in runs if value is not None]
        first, later = values[0], values[1:]
        threshold = READ_BACK_RATIO * statistics.median(later) + RUN_NOISE_MS if later else 0.0
        read_back = bool(later) and first > threshold
        figures.append(first if read_back else float(statistics.median(values)))
    return figures


# --- reference measurements (the empty solution, the reference solution) ---------------------

_reference_costs: OrderedDict[str, list[float]] = OrderedDict()
_reference_lock = threading.Lock()


def reference_medians(
    source: str, reference: Mapping[str, Any], sandbox: Sandbox, must_pass: bool
) -> list[float] | str:
    """The per-perf-case medians of `source` (reference code, not the policy's), measured in
    a timed job like any item, and kept per reference; or why they cannot be had."""
    timed = timed_plan(reference)
    key = hashlib.sha256(
        json.dumps([timed.plan.digest, source, REPEATS, must_pass]).encode("utf-8", "replace")
    ).hexdigest()
    with _reference_lock:
        if key in _reference_costs:
            _reference_costs.move_to_end(key)
            return _reference_costs[key]
    score = split_timed(code.judge_code(source, timed.plan, dict(reference), sandbox), timed)
    if score.value is None:
        return score.reason
    timing = score.details["timing"]
    if must_pass and not timing["all_passed"]:
        return f"the reference solution fails its own cases ({timing.get('failure')})"
    medians = figures_ms(timing["samples_ms"])
    if medians is None:
        return "a timing run of reference code was not run (the job's CPU budget ran out)"
    with _reference_lock:
        _reference_costs[key] = medians
        while len(_reference_costs) > REFERENCE_CACHE_SIZE:
            _reference_costs.popitem(last=False)
    return medians


def empty_solution(plan: CasePlan) -> str:
    return EMPTY_SOLUTIONS[plan.mode].format(name=plan.fn_name)


def net_cost_ms(medians: Sequence[float], overhead: Sequence[float]) -> float:
    return sum(max(0.0, m - o) for m, o in zip(medians, overhead, strict=True))


# --- the component ----------------------------------------------------------------------------


def item_efficiency(item: GradingInput, run: Score, sandbox: Sandbox | None) -> Score:
    """What the group step needs to know of one item (value None until then): whether every
    run passed, and its cost.  `run` is the item's timed code run (timed_run)."""
    if item.task != "code":
        return not_applicable("not a code item")
    if run.value is None:
        return Score(None, f"not measured: {run.reason}", error=run.error)
    timing = run.details.get("timing")
    if timing is None:  # no code block: nothing ran
        return Score(None, "Scored in its group.", {"passed": False, "failure": run.reason})
    if "error" in timing:
        message = f"bad reference: {timing['error']}"
        return Score(None, message, error=ItemError("bad_reference", timing["error"]))
    if not timing["all_passed"]:
        return Score(None, "Scored in its group.", {"passed": False, "failure": timing["failure"]})
    medians = figures_ms(timing["samples_ms"])
    if medians is None or sandbox is None:
        message = "a timing run has no CPU figure"
        return Score(None, message, error=ItemError("sandbox_error", message))
    plan = timed_plan(item.reference).plan
    overhead = reference_medians(empty_solution(plan), item.reference, sandbox, must_pass=False)
    if isinstance(overhead, str):
        message = f"the overhead of an empty solution could not be measured: {overhead}"
        return Score(None, message, error=ItemError("sandbox_error", message))
    details: dict[str, Any] = {
        "passed": True,
        "cost_ms": round(net_cost_ms(medians, overhead), 2),
        "raw_ms": round(sum(medians), 2),
        "overhead_ms": round(sum(overhead), 2),
        "perf_cases": len(medians),
        "repeats": REPEATS,
        "samples_ms": timing["samples_ms"],
    }
    solution = item.reference.get("reference_solution")
    if solution is not None:
        if not isinstance(solution, str) or not solution.strip():
            message = "reference_solution must be a non-empty string of Python code"
            return Score(None, message, error=ItemError("bad_reference", message))
        baseline = reference_medians(solution, item.reference, sandbox, must_pass=True)
        if isinstance(baseline, str):
            return Score(None, baseline, error=ItemError("bad_reference", baseline))
        details["reference_ms"] = round(net_cost_ms(baseline, overhead), 2)
    return Score(None, "Scored relative to its group.", details)


def efficiency_score(ratio: float) -> float:
    """1 inside the dead band, then (1 + DEAD_BAND) / ratio: monotone and continuous."""
    return 1.0 if ratio <= 1.0 + DEAD_BAND else (1.0 + DEAD_BAND) / ratio


def group_efficiency(completions: Sequence[str], steps: Sequence[Mapping[str, Any]]) -> list[Score]:
    """Each member's efficiency, from the per-item measurements (`steps`, in order)."""
    passing = [s["cost_ms"] for s in steps if s.get("passed") is True and "cost_ms" in s]
    cheapest = min(passing) if passing else None
    scores = []
    for step in steps:
        if "passed" not in step:
            scores.append(not_applicable(step.get("reason", "not measured")))
            continue
        if step["passed"] is not True:
            reason = f"0: not every case and timing run passed ({step.get('failure')})"
            scores.append(Score(0.0, reason, {"passed": False}))
            continue
        if "reference_ms" in step:
            baseline, against = step["reference_ms"], "the reference solution"
        else:
            baseline = cheapest
            against = f"the cheapest of the {len(passing)} passing item(s) of its group"
        slack = RESOLUTION_MS * step["perf_cases"]
        ratio = (step["cost_ms"] + slack) / (baseline + slack)
        value = efficiency_score(ratio)
        reason = (
            f"{step['cost_ms']:.1f} ms of CPU against {baseline:.1f} ms for {against}: "
            f"ratio {ratio:.2f}, efficiency {value:.3f}"
        )
        details = {
            **{k: v for k, v in step.items() if k != "reason"},
            "baseline_ms": baseline,
            "baseline": against,
            "ratio": round(ratio, 4),
            "measured": MEASURED,
        }
        scores.append(Score(value, reason, details))
    return scores
