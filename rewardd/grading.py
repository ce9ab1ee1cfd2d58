"""Grading one item: from its wire form (a plain dict) to its result (a plain dict).

This is the single function behind every transport: the embedded pool, Celery workers,
the offline `rewardd grade` CLI and the tests all call `grade_item`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from rewardd.rewards.registry import score_components
from rewardd.rewards.types import GradingInput, ItemError, Score

log = logging.getLogger(__name__)

DEFAULT_LANG = "en"
TIMINGS_KEY = "_timings"
# Set (True) by the batch planner (rewardd.planner) on an item it sends to a worker: the
# result then carries each component's Score fields, which the planner joins with the
# item's shared math verdict.  Items from clients never carry it (RewardItem.wire).
SCORES_KEY = "_scores"


def grading_input(item: Mapping[str, Any], needs_lang: bool = True) -> GradingInput:
    """Fill the contract's defaults: task from the reference, lang from the prompt.

    Detecting the prompt's language costs a few milliseconds, so it is skipped
    (`needs_lang=False`) when no weighted component reads `lang`.
    """
    completion = item["completion"]
    reference = dict(item.get("reference") or {})
    task = item.get("task") or infer_task(reference)
    prompt = item.get("prompt")
    detected = _prompt_language(prompt) if needs_lang and not item.get("lang") else None
    lang = item.get("lang") or detected or DEFAULT_LANG
    tokens = item.get("completion_tokens")
    if tokens is None:
        tokens = len(completion.split())
    return GradingInput(
        completion=completion,
        task=task,
        reference=reference,
        prompt=prompt,
        lang=lang,
        completion_tokens=tokens,
        params=dict(item.get("params") or {}),
    )


def infer_task(reference: Mapping[str, Any]) -> str:
    # `format`: a code dataset's own record as the reference (rewardd.code_formats).
    code_keys = ("tests", "test_cases", "format")
    return "code" if any(key in reference for key in code_keys) else "math"


def _prompt_language(prompt: str | None) -> str | None:
    if not prompt or not prompt.strip():
        return None
    from rewardd.rewards.language import detect_language

    return detect_language(prompt)


def grade_item(item: Mapping[str, Any], weights: Mapping[str, float]) -> dict[str, Any]:
    """Grade one wire item with the given weights; never raises for bad content."""
    timings: dict[str, float] = {}
    item_input = grading_input(item, needs_lang="language" in weights)
    scores = score_components(item_input, list(weights), timings)
    result = combine(item.get("id"), scores, weights)
    _log_machinery_failures(item.get("id"), scores)
    if item.get(SCORES_KEY):
        result[SCORES_KEY] = {name: dataclasses.asdict(score) for name, score in scores.items()}
    # Travels with the result to the API process, which records it and strips it.
    result[TIMINGS_KEY] = timings
    return result


def _log_machinery_failures(item_id: Any, scores: Mapping[str, Score]) -> None:
    """Failures of our own machinery (the judge, the sandbox) are bugs: each is logged with
    the item's id, also where it only failed a case and the item still got its score."""
    for name, score in scores.items():
        if score.error is not None and score.error.code in ("internal", "sandbox_error"):
            log.error("item %r, %s: %s: %s", item_id, name, score.error.code, score.error.message)
        for message in (score.details or {}).get("judge_errors") or ():
            log.error(
                "item %r, %s: judge failure on a case (the case failed): %s", item_id, name, message
            )


def score_of_fields(fields: Mapping[str, Any]) -> Score:
    """A Score from its fields (dataclasses.asdict), as they cross to another process."""
    error = fields.get("error")
    return Score(
        value=fields["value"],
        reason=fields["reason"],
        details=dict(fields.get("details") or {}),
        error=ItemError(**error) if error else None,
    )


def combine(
    item_id: Any, scores: Mapping[str, Score], weights: Mapping[str, float]
) -> dict[str, Any]:
    """The contract's result: reward = Σ weight × component over the non-null components."""
    components = {name: score.value for name, score in scores.items()}
    errors = [score.error for score in scores.values() if score.error is not None]
    return {
        "id": item_id,
        "reward": weighted_reward(components, weights),
        "components": components,
        "details": {name: score.details_with_reason() for name, score in scores.items()},
        "error": errors[0].as_dict() if errors else None,
    }


def weighted_reward(
    components: Mapping[str, float | None], weights: Mapping[str, float]
) -> float | None:
    """Σ weight × component over the non-null components; None when all are null."""
    present = [weights[name] * value for name, value in components.items() if value is not None]
    return sum(present) if present else None


def failed_result(item_id: Any, weights: Mapping[str, float], error: ItemError) -> dict[str, Any]:
    """An item that could not be graded at all: every component null, the error explicit."""
    return {
        "id": item_id,
        "reward": None,
        "components": dict.fromkeys(weights),
        "details": {name: {"reason": error.message} for name in weights},
        "error": error.as_dict(),
    }
