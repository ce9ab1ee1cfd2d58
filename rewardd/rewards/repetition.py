"""Repeated n-grams: open-r1's get_repetition_penalty_reward for English words."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

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
    distinct = distinct_windows(words, ngram_size)
    repeated_share = 1 - distinct / total
    value = repeated_share * max_penalty + 0.0  # + 0.0 turns -0.0 into 0.0
    reason = (
        f"{total - distinct} of {total} word {ngram_size}-grams repeat an earlier one: "
        f"penalty {value:.3f}."
    )
    return Score(value, reason, {"ngrams": total, "distinct_ngrams": distinct})


SMALL_WINDOW = 8


def distinct_windows(words: list[str], size: int) -> int:
    """How many distinct runs of `size` consecutive words `words` holds (1 <= size <= len).

    A set of n-gram tuples would hold `size` references per word: `params` may ask for
    40-grams of a megabyte of text.  Instead, ids of the windows of 1, 2, 4, ... words are
    built by pairing the ids of two halves (prefix doubling, as in suffix-array
    construction), and a window of `size` words is the pair of the two overlapping
    power-of-two windows that cover it: memory stays one id per word, whatever `size`.
    Up to SMALL_WINDOW words, tuples are small and counting them directly is 2-3x faster
    (the same count; a test compares the two ways).
    """
    count = len(words) - size + 1
    if size <= SMALL_WINDOW:
        return len(set(zip(*(words[i : i + count] for i in range(size)), strict=True)))
    ids = _ids(words)
    span = 1  # ids[i] names the words[i : i + span]
    while span * 2 <= size:
        ids = _ids(zip(ids, ids[span:], strict=False))
        span *= 2
    tail = size - span
    return len(set(zip(ids[:count], ids[tail : tail + count], strict=True)))


def _ids(values: Iterable[Hashable]) -> list[int]:
    """Each value's id: equal values, equal ids."""
    index: dict[Hashable, int] = {}
    return [index.setdefault(value, len(index)) for value in values]
