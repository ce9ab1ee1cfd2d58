"""Repeated n-grams: open-r1's get_repetition_penalty_reward for English words."""

from __future__ import annotations

from pydantic import NonPositiveFloat, PositiveInt

from rewardd.rewards.types import GradingInput, Score


def repetition_penalty(
    item: GradingInput, *, ngram_size: PositiveInt = 3, max_penalty: NonPositiveFloat = -1.0
) -> Score:
    """(1 - distinct n-grams / all n-grams) * max_penalty, over lower-cased whitespace words.

    The penalty is in [max_penalty, 0]; 0 for text shorter than one n-gram, as in
    open-r1 (Appendix C.2 of "Demystifying Long Chain-of-Thought Reasoning").  The
    keyword-only arguments are the component's `params`; the checks below guard direct
    callers, the API refuses such values with a 422 before grading.
    """
    if max_penalty > 0:
        raise ValueError(f"max_penalty {max_penalty} should not be positive")
    if ngram_size < 1:
        raise ValueError(f"ngram_size {ngram_size} should be at least 1")
    words = item.completion.lower().split()
    if len(words) < ngram_size:
        return Score(
            0.0,
            f"Fewer than {ngram_size} words: nothing can repeat.",
            {"ngrams": 0, "distinct_ngrams": 0},
        )
    total = len(words) - ngram_size + 1
    distinct = len(set(zip(*(words[i:] for i in range(ngram_size)), strict=False)))
    repeated_share = 1 - distinct / total
    value = repeated_share * max_penalty + 0.0  # + 0.0 turns -0.0 into 0.0
    reason = (
        f"{total - distinct} of {total} word {ngram_size}-grams repeat an earlier one: "
        f"penalty {value:.3f}."
    )
    return Score(value, reason, {"ngrams": total, "distinct_ngrams": distinct})
