"""Completions built to be slow: every component must still answer, and blocks stay exact.

A quadratic scan on a megabyte of unclosed tags takes hours; if one comes back, these tests
hit pytest's watchdog instead of passing.
"""

from __future__ import annotations

import random
import re

import pytest

from rewardd.grading import grade_item
from rewardd.rewards.blocks import answer_block, think_block
from rewardd.rewards.registry import COMPONENTS

MEGABYTE_OF = {
    "unclosed think": "<think>" * 140_000,
    "unclosed answer": "<answer>" * 120_000,
    "stray closers": "</answer>" * 110_000,
    "repeated blocks": "<answer>1</answer>" * 55_000,
    "unclosed boxes": "\\boxed{" * 140_000,
    "deep braces": "{" * 500_000 + "}" * 500_000,
}
TEXT_COMPONENTS = {
    name: 1.0 for name in COMPONENTS if name not in ("code", "binary_code", "lint", "code_format")
}


@pytest.mark.parametrize("name", MEGABYTE_OF)
def test_every_text_component_answers_on_a_hostile_megabyte(name):
    result = grade_item(
        {"completion": MEGABYTE_OF[name], "reference": {"answer": "1"}}, TEXT_COMPONENTS
    )
    assert result["error"] is None, result["error"]
    assert set(result["components"]) == set(TEXT_COMPONENTS)


def test_blocks_pair_tags_exactly_as_a_non_greedy_regex_does():
    answer = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
    think = re.compile(r"<think>(.*?)</think>", re.DOTALL)
    rng = random.Random(7)
    pieces = ["<answer>", "</answer>", "<think>", "</think>", "x", " ", "\n"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        answers = answer.findall(text)
        assert answer_block(text) == (answers[-1] if answers else None), text
        first = think.search(text)
        assert think_block(text) == (first.group(1) if first else None), text
