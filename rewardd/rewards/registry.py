"""Every reward component by name, and how to compute a set of them for one item.

A component is a pure function of the item.  Some read another component (cosine reads
accuracy; code, binary_code and code accuracy share one sandbox run), so components get a
`score_of` callback that computes a dependency once per item and memoises it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from rewardd.rewards.types import GradingInput, Score, not_applicable

ScoreOf = Callable[[str], Score]
Component = Callable[[GradingInput, ScoreOf], Score]

# Set by the process that grades code (it owns the warm sandbox pool); None means
# code cases cannot be run here, which yields a sandbox_error, never a made-up score.
_sandbox_provider: Callable[[], object] | None = None


def use_sandbox(provider: Callable[[], object] | None) -> None:
    global _sandbox_provider
    _sandbox_provider = provider


def _accuracy(item: GradingInput, score_of: ScoreOf) -> Score:
    if item.task == "code":
        return score_of("binary_code")
    from rewardd.rewards.math_accuracy import math_accuracy

    return math_accuracy(item)


def _case_run(item: GradingInput, score_of: ScoreOf) -> Score:
    if item.task != "code":
        return not_applicable("not a code item")
    from rewardd.rewards.code import run_cases

    from rewardd.rewards.types import ItemError

    if _sandbox_provider is None:
        return Score(
            None,
            "no sandbox is configured in this process",
            error=ItemError("sandbox_error", "no sandbox is configured in this process"),
        )
    return run_cases(item, _sandbox_provider())


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


def _code_only(name: str) -> Component:
    def component(item: GradingInput, score_of: ScoreOf) -> Score:
        if item.task != "code":
            return not_applicable("not a code item")
        from rewardd.rewards import code

        return getattr(code, name)(item)

    return component


def _plain(module: str, name: str) -> Component:
    def component(item: GradingInput, score_of: ScoreOf) -> Score:
        import importlib

        return getattr(importlib.import_module(f"rewardd.rewards.{module}"), name)(item)

    return component


def _cosine(item: GradingInput, score_of: ScoreOf) -> Score:
    from rewardd.rewards.length import cosine_scaled

    return cosine_scaled(item, score_of("accuracy"))


COMPONENTS: dict[str, Component] = {
    "accuracy": _accuracy,
    "format": _plain("formatting", "format_reward"),
    "tag_count": _plain("formatting", "tag_count"),
    "language": _plain("language", "language_consistency"),
    "reasoning_steps": _plain("reasoning", "reasoning_steps"),
    "cosine": _cosine,
    "repetition_penalty": _plain("repetition", "repetition_penalty"),
    "soft_overlong": _plain("length", "soft_overlong"),
    "code": _case_run,
    "binary_code": _binary_code,
    "lint": _code_only("lint"),
    "code_format": _code_only("code_format"),
}


def score_components(item: GradingInput, names: Collection[str]) -> dict[str, Score]:
    """Compute the named components of one item; a component that raises becomes an error."""
    from rewardd.rewards.types import ItemError

    computed: dict[str, Score] = {}

    def score_of(name: str) -> Score:
        if name not in computed:
            try:
                computed[name] = COMPONENTS[name](item, score_of)
            except Exception as exc:  # a bug must cost one component, not the batch
                message = f"{name} failed: {type(exc).__name__}: {exc}"
                computed[name] = Score(None, message, error=ItemError("internal", message))
        return computed[name]

    return {name: score_of(name) for name in names}
