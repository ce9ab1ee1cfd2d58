"""math-verify's own test suite, graded through a real `rewardd serve` (/v1/rewards).

tests/data/math/math_verify_suite.json holds every parametrised (gold, pred, expected) case of
huggingface/Math-Verify's tests/ (the source and commit are named in the file).  Each case is
sent twice:
- the pred as the text of an `<answer>` block, which is how math-verify means it (a final
  answer text): every case must agree, except `EXCEPTIONS`, each with its reason (the same
  list is in docs/rewards-math.md);
- the pred as the whole completion: the same, except that a pred with no `\\boxed{}` and no
  final-answer marker is no answer under contract v2 (`marked` in the data file).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import running_service

SUITE = json.loads((Path(__file__).parent / "data/math/math_verify_suite.json").read_text())
CASES: list[dict[str, Any]] = SUITE["cases"]

_OPTION = "sets a math-verify option rewardd does not expose"
# id -> (our score for the pred as an <answer> block, why we differ from math-verify)
EXCEPTIONS: dict[str, tuple[float, str]] = {
    "test_all::test_number_extraction#6": (
        0.0,
        "`1000,99` with a decimal comma: to rewardd two values, a hedge against the one-value "
        "gold (contract: several values score 0); math-verify reads it as 1000.99 only with "
        "plain-number extraction alone (match_types=['expr'], " + _OPTION + ")",
    ),
    "test_all::test_number_extraction#7": (
        0.0,
        "gold `1,22` with a decimal comma: to rewardd the two-part answer {1, 22} "
        "(match_types=['expr'], " + _OPTION + ")",
    ),
    "test_all::test_latex_notation#6": (
        1.0,
        "match_types=['latex'] (" + _OPTION + "): rewardd also reads plain numbers, so the 9 "
        "of `$ \\n 9 \\n $` is found; as a whole completion it agrees (0)",
    ),
    "test_all::test_latex_notation#7": (
        1.0,
        "match_types=['latex'] (" + _OPTION + "), as the case above",
    ),
    "test_all::test_latex_notation#5": (
        0.0,
        "`Answer \\( (9+1) \\)`: arithmetic still to be done is no value outside a box "
        "(contract: a completion that only repeats the question's expression must not score); "
        "the case also sets match_types=['latex'] (" + _OPTION + ")",
    ),
    "test_all::test_latex_notation#10": (
        0.0,
        "`\\frac{1}{2} \\$ = \\frac{10}{9}` is an equation between two different numbers, not "
        "an assignment: two candidate values (contract: a hedge scores 0); math-verify takes "
        "the right-hand side",
    ),
    "test_all::test_complex_math_expressions#8": (0.0, "float_rounding=2 (" + _OPTION + ")"),
    "test_all::test_complex_math_expressions#14": (0.0, "float_rounding=2 (" + _OPTION + ")"),
    "test_all::test_math_extraction_additional_cases#18": (
        0.0,
        "the completion boxes an intermediate 255 and ends 'The final answer is $10,455$': the "
        "contract reads the last \\boxed{} before any marker",
    ),
    "test_all::test_set_rel_assymetry#3": (
        0.0,
        "allow_set_relation_comp=True (" + _OPTION + "; off, so that restating an equation "
        "cannot equal its solution set)",
    ),
    "test_open_thoughts::test_open_thoughts#29": (
        1.0,
        "gold `\\boxed{1} no no no no no \\boxed{2}`: the contract makes all of a gold's boxes "
        "one multi-part answer, so `\\boxed{1,2}` is right",
    ),
    "test_strict::test_strict_variable_comparison#2": (0.0, "strict=False (" + _OPTION + ")"),
    "test_yujianll::test_string_extraction#10": (
        0.0,
        "`1 - 1/e` and `1 + 1/e` are different numbers (contract: equivalence is "
        "mathematical); math-verify's case records its own reading of \\mathrm{e} as a symbol",
    ),
}
# As a whole completion these agree with math-verify, though as an answer block they do not:
# the statement after "Answer" stops at the line break, so `$ \n 9 \n $` is not read.
AGREE_AS_WHOLE_COMPLETION = {"test_all::test_latex_notation#6", "test_all::test_latex_notation#7"}

MODES = {"answer_block": "<answer>{}</answer>", "whole_completion": "{}"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Iterator[dict[tuple[str, str], dict[str, Any]]]:
    """Every case in both modes, graded in one request by a real service."""
    log = tmp_path_factory.mktemp("math-verify-suite") / "serve.log"
    items = [
        {"id": f"{mode}|{case['id']}", "completion": form.format(case["pred"])}
        | {"reference": {"answer": case["gold"]}, "task": "math"}
        for mode, form in MODES.items()
        for case in CASES
    ]
    # A generous wall-clock backstop: the CPU budgets decide, whatever the machine's load.
    with running_service(log, REWARDD_MATH_ITEM_TIMEOUT_S="120") as url:
        response = httpx.post(
            f"{url}/v1/rewards",
            json={"items": items, "weights": {"accuracy": 1.0}, "timeout_s": 600},
            timeout=700,
        )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    yield {tuple(result["id"].split("|", 1)): result for result in results}


def _expected_in_a_block(case: dict[str, Any]) -> float:
    if case["id"] in EXCEPTIONS:
        return EXCEPTIONS[case["id"]][0]
    return float(case["expected"])


def _case_id(case: dict[str, Any]) -> str:
    return case["id"]


def test_the_suite_is_complete_and_every_exception_names_a_case() -> None:
    assert len(CASES) == 269
    assert "huggingface/Math-Verify" in SUITE["source"]
    ids = {case["id"] for case in CASES}
    assert set(EXCEPTIONS) <= ids
    for case_id, (ours, _) in EXCEPTIONS.items():
        case = next(case for case in CASES if case["id"] == case_id)
        assert ours != case["expected"], f"{case_id} agrees now: drop its exception"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_an_answer_block_agrees_with_math_verify(
    case: dict[str, Any], graded: dict[tuple[str, str], dict[str, Any]]
) -> None:
    result = graded["answer_block", case["id"]]
    assert result["error"] is None, result
    assert result["components"]["accuracy"] == _expected_in_a_block(case), result["details"]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_a_whole_completion_agrees_with_math_verify(
    case: dict[str, Any], graded: dict[tuple[str, str], dict[str, Any]]
) -> None:
    result = graded["whole_completion", case["id"]]
    assert result["error"] is None, result
    accuracy = result["components"]["accuracy"]
    if not case["marked"]:
        # Contract v2: no box and no final-answer marker is no answer, whatever the text.
        assert (accuracy, result["details"]["accuracy"]["verdict"]) == (0.0, "no_answer")
    elif case["id"] in AGREE_AS_WHOLE_COMPLETION:
        assert accuracy == case["expected"], result["details"]
    else:
        assert accuracy == _expected_in_a_block(case), result["details"]
