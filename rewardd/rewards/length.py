"""Length-shaped rewards: open-r1's cosine-scaled correctness, DAPO's overlong penalty and
Kimi 1.5's group-relative length reward."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import FiniteFloat, NonNegativeInt, PositiveInt

from rewardd.rewards.types import GradingInput, Score, not_applicable


def cosine_scaled(
    item: GradingInput,
    accuracy: Score,
    *,
    min_value_wrong: FiniteFloat = -1.0,
    max_value_wrong: FiniteFloat = -0.5,
    min_value_correct: FiniteFloat = 0.5,
    max_value_correct: FiniteFloat = 1.0,
    max_len: PositiveInt = 1000,
) -> Score:
    """open-r1's get_cosine_scaled_reward on `completion_tokens`, with open-r1's defaults.

    The keyword-only arguments are the component's CONTRACT v2 `params`: their names,
    types, ranges and defaults are read from this signature (rewardd.rewards.parameters).

    Correct answers score from max_value_correct (length 0) down to min_value_correct
    (length max_len); wrong ones from min_value_wrong up to max_value_wrong.  The range
    is open-r1's, [-1, 1] by default, not [0, 1].  Unlike open-r1, lengths beyond
    max_len count as max_len: open-r1's unclamped cosine is periodic, so a wrong answer
    of 2 * max_len tokens would score as badly as an empty one.
    """
    if accuracy.value is None:
        return not_applicable("Not applicable: the accuracy of this item is unknown.")
    is_correct = accuracy.value >= 1.0
    length = item.completion_tokens
    progress = min(length, max_len) / max_len
    cosine = math.cos(progress * math.pi)
    if is_correct:
        low, high = min_value_correct, max_value_correct
    else:
        # Swapped for wrong answers, so that longer wrong answers are punished less.
        low, high = max_value_wrong, min_value_wrong
    value = low + 0.5 * (high - low) * (1.0 + cosine)
    verdict = "correct" if is_correct else "wrong"
    reason = f"A {verdict} answer of {length} tokens (scale {max_len}) scores {value:.3f}."
    return Score(value, reason, {"tokens": length, "correct": is_correct, "max_len": max_len})


def soft_overlong(
    item: GradingInput,
    *,
    max_completion_len: PositiveInt = 16384,
    soft_punish_cache: NonNegativeInt = 4096,
) -> Score:
    """DAPO's soft overlong punishment (open-r1 get_soft_overlong_punishment), in [-1, 0].

    0 up to max_completion_len - soft_punish_cache tokens, then falling linearly to -1 at
    max_completion_len, and -1 beyond.  The keyword-only arguments (open-r1's names) are
    the component's `params`.
    """
    cache = soft_punish_cache
    length = item.completion_tokens
    threshold = max_completion_len - cache
    if length <= threshold:
        value = 0.0
        reason = f"{length} tokens is within the {threshold}-token budget: no penalty."
    elif length <= max_completion_len:
        value = (threshold - length) / cache
        reason = (
            f"{length} tokens is {length - threshold} into the {cache}-token soft zone "
            f"before {max_completion_len}: penalty {value:.3f}."
        )
    else:
        value = -1.0
        reason = f"{length} tokens is over the {max_completion_len}-token maximum: penalty -1."
    return Score(value, reason, {"tokens": length, "max_len": max_completion_len, "cache": cache})


def length_correctness(accuracy: Score) -> Score:
    """The per-item step of `length`: whether the answer is right.  Its value stays None
    until the item's group is known (rewardd.groups, then group_length below)."""
    if accuracy.value is None:
        return not_applicable("Not applicable: the accuracy of this item is unknown.")
    correct = accuracy.value >= 1.0
    return Score(None, "Scored relative to the item's group.", {"correct": correct})


def group_length(completions: Sequence[str], steps: Sequence[Mapping[str, Any]]) -> list[Score]:
    """Kimi 1.5's length reward (open-r1's len_reward) over one group, lengths in characters.

    λ = 0.5 − (len − shortest) / (longest − shortest): λ for a right answer, min(0, λ) for a
    wrong one, 0 for every item when all lengths are equal.  Every completion of the group
    counts for the shortest and the longest; an item whose correctness is unknown (its
    `steps` entry, the details of length_correctness, has no "correct") scores None.
    """
    lengths = [len(completion) for completion in completions]
    shortest, longest = min(lengths), max(lengths)
    scores = []
    for length, step in zip(lengths, steps, strict=True):
        if "correct" not in step:
            scores.append(not_applicable(step.get("reason", "The accuracy is unknown.")))
            continue
        lam = 0.0 if longest == shortest else 0.5 - (length - shortest) / (longest - shortest)
        value = lam if step["correct"] else min(0.0, lam)
        verdict = "right" if step["correct"] else "wrong"
        reason = (
            f"A {verdict} answer of {length} characters, in a group of {len(lengths)} "
            f"from {shortest} to {longest}: {value:.3f}."
        )
        details = {"chars": length, "correct": step["correct"], "shortest": shortest}
        scores.append(Score(value, reason, {**details, "longest": longest}))
    return scores
