"""Finding the <think> and <answer> blocks of an R1-style completion."""

from __future__ import annotations

import re

_THINK = re.compile(r"<think>(.*?)</think>", re.DOTALL)
_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def think_block(completion: str) -> str | None:
    """The text of the first complete <think>...</think> block, or None."""
    match = _THINK.search(completion)
    return match.group(1) if match else None


def answer_block(completion: str) -> str | None:
    """The text of the last complete <answer>...</answer> block, or None.

    The last one, because a model that restates its answer means the final statement.
    """
    matches = _ANSWER.findall(completion)
    return matches[-1] if matches else None


def reasoning_text(completion: str) -> str:
    """What the language reward reads: the <think> block, else the whole completion."""
    think = think_block(completion)
    return think if think is not None else completion
