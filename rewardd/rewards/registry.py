"""Every reward component by name, and how to compute a set of them for one item.

A component is a pure function of the item.  Some read another component (cosine reads
accuracy; code, binary_code and code accuracy share one sandbox run), so components get a
`score_of` callback that computes a dependency once per item and memoises it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from rewardd.rewards import code, efficiency
from rewardd.rewards.formatting import format_reward, tag_count
from rewardd.rewards.language import language_consistency
from rewardd.rewards.length import cosine_scaled, group_length, length_correctness, soft_overlong
from rewardd.rewards.math_accuracy import math_accuracy
from rewardd.rewards.reasoning import reasoning_steps
from rewardd.rewards.repetition import repetition_penalty
from rewardd.rewards.types import GradingInput, ItemError, Score, not_applicable

ScoreOf = Callable[[str], Score]
Component = Callable[[GradingInput, ScoreOf], Score]

# Set by the process that grades code (it owns the warm sandbox pool); None means
# code cases cannot be run here, which yields a sandbox_error, never a made-up score.
_sandbox_provider: Callable[[], Any] | None = None


def use_sandbox(provider: Callable[[], Any] | None) -> None:
    global _sandbox_provider
    _sandbox_provider = provider


def _accuracy(item: GradingInput, score_of: ScoreOf) -> Score:
    return score_of("binary_code") if item.task == "code" else math_accuracy(item)


def _case_run(item: GradingInput, score_of: ScoreOf) -> Score:
    if item.task != "code":
        return not_applicable("not a code item")
    if _sandbox_provider is None:
        message = "no sandbox is configured in this process"
        return Score(None, message, error=ItemError("sandbox_error", message))
    return code.run_cases(item, _sandbox_provider())


def _timed_case_run(item: GradingInput, score_of: ScoreOf) -> Score:
    """The code run with the efficiency component's timing repeats in the same job."""
    if item.task != "code" or _sandbox_provider is None:
        return _case_run(item, score_of)
    return efficiency.timed_run(item, _sandbox_provider())


def _efficiency(item: GradingInput, score_of: ScoreOf) -> Score:
    if item.task != "code":
        return not_applicable("not a code item")
    sandbox = _sandbox_provider() if _sandbox_provider is not None else None
    return efficiency.item_efficiency(item, score_of("code"), sandbox)


def _binary_code(item: GradingInput, score_of: ScoreOf) -> Score:
    run = score_of("code")
    if run.value is None:
        return run
    passed, total = run.details.get("passed"), run.details.get("total")
    all_pass = run.value == 1.0
    return Score(
        1.0 if all_pass else 0.0,
        f"{passed} of {total} cases passed" + ("" if all_pass else "; not all"),
        {"passed": passed, "total": total},
    )


def _code_only(function: Callable[[GradingInput], Score]) -> Component:
    def component(item: GradingInput, score_of: ScoreOf) -> Score:
        return function(item) if item.task == "code" else not_applicable("not a code item")

    return component


def _plain(function: Callable[[GradingInput], Score]) -> Component:
    return lambda item, score_of: function(item)


def _cosine(item: GradingInput, score_of: ScoreOf) -> Score:
    return cosine_scaled(item, score_of("accuracy"), **item.params.get("cosine", {}))


def _length(item: GradingInput, score_of: ScoreOf) -> Score:
    return length_correctness(score_of("accuracy"))


def _with_params(name: str, function: Callable[..., Score]) -> Component:
    return lambda item, score_of: function(item, **item.params.get(name, {}))


COMPONENTS: dict[str, Component] = {
    "accuracy": _accuracy,
    "format": _plain(format_reward),
    "tag_count": _plain(tag_count),
    "language": _plain(language_consistency),
    "reasoning_steps": _plain(reasoning_steps),
    "cosine": _cosine,
    "repetition_penalty": _with_params("repetition_penalty", repetition_penalty),
    "soft_overlong": _with_params("soft_overlong", soft_overlong),
    "length": _length,
    "code": _case_run,
    "binary_code": _binary_code,
    "lint": _code_only(code.lint),
    "code_format": _code_only(code.code_format),
    "efficiency": _efficiency,
}

# With `efficiency` weighted, one sandbox job serves code, binary_code, accuracy and the
# efficiency measurement: the code run carries the timing repeats.  Other weights pay nothing.
TIMED_COMPONENTS: dict[str, Component] = {**COMPONENTS, "code": _timed_case_run}

# The components that take CONTRACT v2 `params`, and the function whose keyword-only
# arguments are those parameters (rewardd.rewards.parameters reads them from there).
PARAMETRISED: dict[str, Callable[..., Score]] = {
    "cosine": cosine_scaled,
    "repetition_penalty": repetition_penalty,
    "soft_overlong": soft_overlong,
}

# Components whose value depends on the other items of the item's group (CONTRACT v2
# `group`).  Per item, COMPONENTS computes what the group step needs (value None, the need
# in its details); once the request is graded, rewardd.groups calls these with the group's
# completions and those details, in order, and they give each member's score.
GroupComponent = Callable[[Sequence[str], Sequence[Mapping[str, Any]]], list[Score]]
GROUP_COMPONENTS: dict[str, GroupComponent] = {
    "length": group_length,
    "efficiency": efficiency.group_efficiency,
}


def score_components(
    item: GradingInput,
    names: Collection[str],
    timings: dict[str, float] | None = None,
    known: Mapping[str, Score] | None = None,
) -> dict[str, Score]:
    """Compute the named components of one item; a component that raises becomes an error.

    `timings`, when given, receives each component's own seconds (its dependencies excluded).
    `known` holds scores already computed for this item (the batch planner's accuracy
    verdict, shared by the samples with the same final answer): they are used, not redone.
    """
    computed: dict[str, Score] = dict(known or {})
    components = TIMED_COMPONENTS if "efficiency" in names else COMPONENTS
    nested: list[float] = []  # time spent in dependencies, per component being computed

    def score_of(name: str) -> Score:
        if name not in computed:
            nested.append(0.0)
            started = time.perf_counter()
            try:
                computed[name] = components[name](item, score_of)
            except Exception as exc:  # a bug must cost one component, not the batch
                message = f"{name} failed: {type(exc).__name__}: {exc}"
                computed[name] = Score(None, message, error=ItemError("internal", message))
            spent = time.perf_counter() - started
            in_dependencies = nested.pop()
            if nested:
                nested[-1] += spent
            if timings is not None:
                timings[name] = spent - in_dependencies
        return computed[name]

    return {name: score_of(name) for name in names}
