"""The R1 output format: one <think> block, then one <answer> block, nothing else."""

from __future__ import annotations

import re

from rewardd.rewards.types import GradingInput, Score

TAGS = ("<think>", "</think>", "<answer>", "</answer>")

# With every tag known to occur exactly once, this only has to check their order
# and that nothing but white space surrounds the two blocks.
_R1_LAYOUT = re.compile(r"\s*<think>.*</think>\s*<answer>.*</answer>\s*", re.DOTALL)


def tag_counts(completion: str) -> dict[str, int]:
    return {tag: completion.count(tag) for tag in TAGS}


def format_reward(item: GradingInput) -> Score:
    """1 when the completion is exactly `<think>...</think>` then `<answer>...</answer>`.

    Only white space may come before, between and after the two blocks, and each of
    the four tags must occur exactly once (so no second block and no nesting).
    Empty blocks are allowed: the structure is what this component grades.
    """
    completion = item.completion
    counts = tag_counts(completion)
    wrong = {tag: n for tag, n in counts.items() if n != 1}
    if wrong:
        listed = ", ".join(f"{tag} {n} times" for tag, n in wrong.items())
        return Score(0.0, f"Each tag must appear exactly once, but: {listed}.", {"tags": counts})
    if _R1_LAYOUT.fullmatch(completion):
        return Score(1.0, "One <think> block followed by one <answer> block.", {"tags": counts})
    return Score(0.0, _layout_problem(completion), {"tags": counts})


def _layout_problem(completion: str) -> str:
    """Why a completion with each tag once is still not `<think>..</think><answer>..</answer>`."""
    think_open, think_close = completion.index("<think>"), completion.index("</think>")
    answer_open, answer_close = completion.index("<answer>"), completion.index("</answer>")
    if not think_open < think_close < answer_open < answer_close:
        return "The tags are out of order: expected <think>, </think>, <answer>, </answer>."
    if completion[:think_open].strip():
        return "There is text before <think>."
    if completion[think_close + len("</think>") : answer_open].strip():
        return "There is text between </think> and <answer>."
    return "There is text after </answer>."


def tag_count(item: GradingInput) -> Score:
    """0.25 for each of the four R1 tags that appears exactly once, anywhere.

    open-r1's tag_count_reward counts "<think>\\n", "\\n</think>\\n", "\\n<answer>\\n"
    and "\\n</answer>" instead; the contract counts the bare tags, so a completion
    written without those newlines still gets full credit here.
    """
    counts = tag_counts(item.completion)
    once = [tag for tag, n in counts.items() if n == 1]
    value = 0.25 * len(once)
    if len(once) == len(TAGS):
        reason = "All four tags appear exactly once."
    else:
        off = ", ".join(f"{tag} ({counts[tag]} times)" for tag in TAGS if counts[tag] != 1)
        reason = f"{len(once)} of 4 tags appear exactly once; not: {off}."
    return Score(value, reason, {"tags": counts})
