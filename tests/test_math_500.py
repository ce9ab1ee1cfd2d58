"""MATH-500's golds (the prm800k test split), graded against themselves, wrong variants and
equivalent rewrites.

- every gold, boxed, scores 1 against itself;
- a gold with a number changed, its sign flipped or its fraction inverted scores 0;
- a gold rewritten in an equivalent form scores 1.

The golds are in tests/data/math/math500_golds.json, with their source.  The variants are made
here, from the gold's text, by plain rules; each rule applies only where its result is
certainly wrong (or certainly equivalent).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from rewardd.rewards.math_accuracy import math_accuracy
from rewardd.rewards.types import GradingInput

DATA = json.loads((Path(__file__).parent / "data/math/math500_golds.json").read_text())
GOLDS: list[tuple[str, str]] = [(gold["id"], gold["answer"]) for gold in DATA["golds"]]


def r1(answer: str) -> str:
    return f"<think>Let me solve it.</think>\n<answer>The answer is $\\boxed{{{answer}}}$.</answer>"


def score(gold: str, answer: str) -> tuple[float | None, str]:
    result = math_accuracy(GradingInput(completion=r1(answer), reference={"answer": gold}))
    return result.value, result.details["verdict"]


# -- wrong variants --------------------------------------------------------------------------

_FIRST_INTEGER = re.compile(r"\d+")
_SIMPLE_FRACTION = re.compile(r"^(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}$")
# A plain number or expression: no sets, tuples, relations, text, intervals or ± pairs.
_SCALAR = re.compile(r"^[^,=<>;]*$")
_NOT_SCALAR = re.compile(r"\\(?:text|pm|mp|le|ge|in|cup|cap|infty|begin|mbox)|\(|\[")


def number_changed(gold: str) -> str | None:
    """The first integer in the gold, plus one: `\\frac{14}{3}` -> `\\frac{15}{3}`.  The first,
    because the last may be a unit's exponent (`15\\mbox{ cm}^2`)."""
    match = _FIRST_INTEGER.search(gold)
    if match is None or "\\text" in gold:
        return None
    return f"{gold[: match.start()]}{int(match.group()) + 1}{gold[match.end() :]}"


def sign_flipped(gold: str) -> str | None:
    """`-\\left(G\\right)` for a nonzero scalar gold."""
    if not _SCALAR.match(gold) or _NOT_SCALAR.search(gold) or not re.search(r"[1-9]", gold):
        return None
    return f"-\\left({gold}\\right)"


def fraction_inverted(gold: str) -> str | None:
    match = _SIMPLE_FRACTION.match(gold.strip())
    if match is None or match.group(2) == match.group(3) or match.group(2) == "0":
        return None
    sign, numerator, denominator = match.groups()
    return f"{sign}\\frac{{{denominator}}}{{{numerator}}}"


# -- equivalent rewrites ----------------------------------------------------------------------

_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_ROOT = re.compile(r"^(\d*)\\sqrt\{(\d+)\}$")
_DEGREES = re.compile(r"^(\d+)\^\\circ$")
_TEXT = re.compile(r"^\\text\{([A-Za-z ]+)\}$")


def as_slash_fraction(gold: str) -> str | None:
    match = _SIMPLE_FRACTION.match(gold.strip())
    return f"{match.group(1)}{match.group(2)}/{match.group(3)}" if match else None


def fraction_scaled(gold: str) -> str | None:
    """`\\frac{a}{b}` -> `\\frac{2a}{2b}`; an integer n -> `\\frac{2n}{2}`."""
    match = _SIMPLE_FRACTION.match(gold.strip())
    if match:
        sign, numerator, denominator = match.groups()
        return f"{sign}\\frac{{{2 * int(numerator)}}}{{{2 * int(denominator)}}}"
    if _INTEGER.match(gold.strip()):
        return f"\\frac{{{2 * int(gold)}}}{{2}}"
    return None


def decimal_as_fraction(gold: str) -> str | None:
    if not _DECIMAL.match(gold.strip()):
        return None
    value = Fraction(gold.strip())
    return f"\\frac{{{value.numerator}}}{{{value.denominator}}}"


def root_unsimplified(gold: str) -> str | None:
    """`3\\sqrt{13}` -> `\\sqrt{117}`."""
    match = _ROOT.match(gold.strip())
    if match is None or not match.group(1):
        return None
    coefficient, radicand = int(match.group(1)), int(match.group(2))
    return f"\\sqrt{{{coefficient**2 * radicand}}}"


def frac_spelled_dfrac(gold: str) -> str | None:
    return gold.replace("\\frac", "\\dfrac") if "\\frac" in gold else None


def without_spaces(gold: str) -> str | None:
    squeezed = re.sub(r"(?<![\\A-Za-z])\s+|\s+(?![A-Za-z])", "", gold)
    return squeezed if squeezed != gold else None


def assigned_to_a_name(gold: str) -> str | None:
    """`k = G` for a scalar gold: an assignment states a value."""
    if not _SCALAR.match(gold) or _NOT_SCALAR.search(gold) or "k" in gold:
        return None
    return f"k = {gold}"


def degrees_dropped(gold: str) -> str | None:
    match = _DEGREES.match(gold.strip())
    return match.group(1) if match else None


def text_unwrapped(gold: str) -> str | None:
    match = _TEXT.match(gold.strip())
    return match.group(1) if match else None


WRONG: dict[str, Callable[[str], str | None]] = {
    "number_changed": number_changed,
    "sign_flipped": sign_flipped,
    "fraction_inverted": fraction_inverted,
}
EQUIVALENT: dict[str, Callable[[str], str | None]] = {
    "slash_fraction": as_slash_fraction,
    "scaled_fraction": fraction_scaled,
    "decimal_as_fraction": decimal_as_fraction,
    "root_unsimplified": root_unsimplified,
    "dfrac": frac_spelled_dfrac,
    "without_spaces": without_spaces,
    "assigned_to_a_name": assigned_to_a_name,
    "degrees_dropped": degrees_dropped,
    "text_unwrapped": text_unwrapped,
}


def variants(rules: dict[str, Callable[[str], str | None]]) -> list[tuple[str, str, str, str]]:
    made = []
    for gold_id, gold in GOLDS:
        for name, rule in rules.items():
            variant = rule(gold)
            if variant is not None and variant != gold:
                made.append((gold_id, gold, name, variant))
    return made


WRONG_VARIANTS = variants(WRONG)
EQUIVALENT_VARIANTS = variants(EQUIVALENT)


def test_the_data_and_the_variants_are_all_there() -> None:
    assert len(GOLDS) == 500
    assert "prm800k" in DATA["source"]
    assert len(WRONG_VARIANTS) >= 500
    assert len(EQUIVALENT_VARIANTS) >= 300


@pytest.mark.parametrize(("gold_id", "gold"), GOLDS)
def test_every_gold_scores_one_against_itself(gold_id: str, gold: str) -> None:
    assert score(gold, gold) == (1.0, "equivalent")


@pytest.mark.parametrize(("gold_id", "gold", "rule", "wrong"), WRONG_VARIANTS)
def test_a_perturbed_gold_scores_zero(gold_id: str, gold: str, rule: str, wrong: str) -> None:
    value, verdict = score(gold, wrong)
    assert value == 0.0, verdict


@pytest.mark.parametrize(("gold_id", "gold", "rule", "rewrite"), EQUIVALENT_VARIANTS)
def test_an_equivalent_rewrite_scores_one(gold_id: str, gold: str, rule: str, rewrite: str) -> None:
    assert score(gold, rewrite) == (1.0, "equivalent")
