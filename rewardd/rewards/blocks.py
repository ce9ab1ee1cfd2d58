"""Finding the <think> and <answer> blocks of an R1-style completion.

Plain `str.find`, not a lazy regex: `<think>(.*?)</think>` rescans to the end of the text
from every unclosed `<think>`, which is quadratic on a hostile megabyte of open tags.
"""

from __future__ import annotations


def think_block(completion: str) -> str | None:
    """The text of the first complete <think>...</think> block, or None."""
    start = completion.find("<think>")
    if start < 0:
        return None
    start += len("<think>")
    end = completion.find("</think>", start)
    return completion[start:end] if end >= 0 else None


def answer_block(completion: str) -> str | None:
    """The text of the last complete <answer>...</answer> block, or None.

    The last one, because a model that restates its answer means the final statement.
    Blocks pair up as a left-to-right non-greedy match pairs them: a </answer> closes the
    first <answer> after the previous closed block; a </answer> with none is stray.
    """
    end = completion.rfind("</answer>")
    while end >= 0:
        previous_end = completion.rfind("</answer>", 0, end)
        search_from = previous_end + len("</answer>") if previous_end >= 0 else 0
        start = completion.find("<answer>", search_from, end)
        if start >= 0:
            return completion[start + len("<answer>") : end]
        end = previous_end
    return None


def reasoning_text(completion: str) -> str:
    """What the language reward reads: the <think> block, else the whole completion."""
    think = think_block(completion)
    return think if think is not None else completion
