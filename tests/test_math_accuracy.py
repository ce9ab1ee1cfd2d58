"""The math `accuracy` reward, case by case: each asserts the score and the verdict."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rewardd.rewards import math_accuracy as module
from rewardd.rewards.math_accuracy import extract_final_answer, math_accuracy
from rewardd.rewards.types import GradingInput, Score


def grade(gold: object, completion: str) -> Score:
    return math_accuracy(GradingInput(completion=completion, reference={"answer": gold}))


def r1(answer: str, thinking: str = "Let me work it out.") -> str:
    return f"<think>{thinking}</think>\n<answer>{answer}</answer>"


def assert_verdict(score: Score, value: float | None, verdict: str) -> None:
    assert score.details["verdict"] == verdict, score.reason
    assert score.value == value, score.reason
    assert score.reason


# -- reading the final answer -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        (r1(r"\boxed{5}"), "5"),
        (r1("72/19"), "72/19"),
        (r1("  The answer is 7.  "), "The answer is 7."),
        (r"<think>\boxed{3}</think><answer>\boxed{4}</answer>", "4"),
        (r"<think>maybe \boxed{3}</think><answer>4</answer>", "4"),
        (r"so \boxed{1} and finally \boxed{2}.", "2"),
        (r"\boxed{\frac{1}{2^{99}}}", r"\frac{1}{2^{99}}"),
        (r"\boxed{\{1, 2\}}", r"\{1, 2\}"),
        (r"\boxed{\boxed{5}}", "5"),
        (r"\boxed {x}", "x"),
        (r"\fbox{7}", "7"),
        (r"\boxed 12.", "12."),
        (r"\boxed{} then 9", None),  # an empty box is no box, and unmarked text no answer
        (r"\boxed{\phantom{2}} so the answer is 9.", "9"),  # a blank box copied from the problem
        (r"cut off at \boxed{12", r"\boxed{12"),
        ("<answer>first</answer> <answer>second</answer>", "second"),
        ("<answer>   </answer>", None),
        ("", None),
        ("plain completion, answer 8", None),  # no marker: never read as an answer
        ("plain completion. Answer: 8", "8"),
        ("12 + 30 = 42.\n#### 42", "42"),
    ],
)
def test_extract_final_answer(completion: str, expected: str | None) -> None:
    assert extract_final_answer(completion) == expected


# -- right and wrong --------------------------------------------------------------------------

EQUIVALENT = [
    # the same number written many ways
    ("72/19", r1(r"\boxed{\frac{72}{19}}")),
    (r"\frac{72}{19}", r1("72/19")),
    ("0.5", r1(r"\boxed{\frac{1}{2}}")),
    ("1/2", r1(r"\boxed{0.5}")),
    (r"\frac{1}{2}", r1(r"\boxed{\dfrac{1}{2}}")),
    (r"\frac12", r1(r"\boxed{1/2}")),
    (r"\frac{1}{3}", r1(r"\boxed{0.333333}")),
    ("1/2^{99}", r1(r"\boxed{\frac{1}{2^{99}}}")),
    ("-3", r1(r"\boxed{−3}")),
    ("1\\,000", r1(r"\boxed{1000}")),
    ("1000", r1(r"\boxed{1{,}000}")),
    (r"\$18.90", r1(r"\boxed{18.9}")),
    # gold with delimiters or a box of its own, or not a string at all
    (r"$\frac{1}{2}$", r1(r"\boxed{0.5}")),
    (r"\boxed{\sqrt{2}}", r1(r"\boxed{\sqrt2}")),
    (r"\(x^2+1\)", r1(r"\boxed{1+x^2}")),
    (5, r1(r"\boxed{5}")),
    (0.25, r1(r"\boxed{\frac14}")),
    ("sqrt(2)/2", r1(r"\boxed{\frac{\sqrt{2}}{2}}")),
    ("pi/2", r1(r"\boxed{\frac{\pi}{2}}")),
    # units, percent, degrees
    (r"10\text{ cm}", r1(r"\boxed{10}")),
    ("10", r1(r"\boxed{10 \text{ cm}}")),
    (r"50\%", r1(r"\boxed{50}")),
    (r"50\%", r1(r"\boxed{0.5}")),
    (r"90^\circ", r1(r"\boxed{90}")),
    # equations that state a value
    ("3", r1(r"\boxed{x = 3}")),
    ("x = 3", r1(r"\boxed{3}")),
    ("2", r1(r"\boxed{x=2}")),
    ("3", r1(r"\boxed{x = 1 + 2 = 3}")),
    ("y = 2x + 1", r1(r"\boxed{2x+1}")),
    ("x+y=5", r1(r"\boxed{y = 5 - x}")),
    # sets, intervals, tuples, matrices, expressions, text
    (r"[2, 5)", r1(r"\boxed{[2,5)}")),
    (r"(2, \infty)", r1(r"\boxed{(2,\infty)}")),
    ("x > 2", r1(r"\boxed{(2, \infty)}")),
    (r"\{1, 2\}", r1(r"\boxed{2, 1}")),
    ("2, 3", r1("x is 2 or 3")),
    (r"x = 2 \text{ or } x = 3", r1(r"\boxed{x=3 \text{ or } x=2}")),
    (r"\pm 2021", r1(r"\boxed{\pm 2021}")),
    (r"\pm 2021", "So the answer is ±2021."),
    ("(1, 2)", r1(r"\boxed{(1,2)}")),
    (r"\begin{pmatrix}1\\2\end{pmatrix}", r1(r"\boxed{\begin{pmatrix}1\\2\end{pmatrix}}")),
    (r"2\sqrt{3}", r1(r"\boxed{\sqrt{12}}")),
    ("x^2 - 1", r1(r"\boxed{(x-1)(x+1)}")),
    ("Evelyn", r1(r"\boxed{\text{Evelyn}}")),
    ("C", r1(r"\boxed{\textbf{(C)}}")),
    # where the answer is found
    ("7", r1("7")),
    ("7", r1("The answer is $7$.")),
    ("7", r1("7 apples")),
    ("7", r"<think>\boxed{3}</think><answer>\boxed{7}</answer>"),
    ("7", r"<think>it might be \boxed{3}</think><answer>7</answer>"),
    ("7", "No tags at all. Adding up, we get \\boxed{7}."),
    ("7", "No tags, no box. Therefore, the final answer is $7$. I hope it is correct."),
    ("7", r1(r"\boxed{\boxed{7}}")),
    ("7", r1(r"\boxed {7}")),
    ("7", r1(r"\fbox{7}")),
    ("7", r1(r"\boxed 7")),
    # the same value boxed twice is not hedging
    ("7", r1(r"\boxed{7}, that is \boxed{ 7 }")),
    ("1/2", r1(r"\boxed{\frac{1}{2}} = \boxed{0.5}")),
    ("1/2", r1("1/2, or 50%")),
    ("1/2", r1(r"\boxed{0.5 \text{ or } \frac{1}{2}}")),
]


@pytest.mark.parametrize(("gold", "completion"), EQUIVALENT)
def test_equivalent_answers_score_one(gold: object, completion: str) -> None:
    score = grade(gold, completion)
    assert_verdict(score, 1.0, "equivalent")
    assert score.details["reference"] == str(gold)
    assert score.error is None


DIFFERENT = [
    ("72/19", r1(r"\boxed{\frac{72}{18}}")),
    ("1/2^{99}", r1(r"\boxed{\frac{1}{2^{98}}}")),  # math-verify issue #14
    (r"\frac{1}{2^{99}}", r1(r"\boxed{1/2^{98}}")),
    (r"\frac{1}{2004!}", r1(r"\boxed{\frac{1}{2006!}}")),
    ("1/2^{99}", r1(r"\boxed{0.0}")),  # rounding to 6 places would call these equal
    ("1/2^{99}", r1(r"\boxed{0}")),
    (r"\frac{1}{2^{20}}", r1(r"\boxed{0.000001}")),
    (r"1 - \frac{1}{e}", r1(r"\boxed{1 + \frac{1}{e}}")),
    (r"\frac{1}{3}", r1(r"\boxed{0.33}")),
    (r"\pi", r1(r"\boxed{3.14}")),
    (r"\pm 2021", r1(r"\boxed{2021}")),  # issue #14: the gold has two values
    ("x+y=5", r1(r"\boxed{a=b}")),  # issue #60: both would parse to 5 / nothing
    ("3x-y+13=0", r1(r"\boxed{3x + 4y + 14=0}")),  # issue #60: both would parse to 0
    ("x = 2", r1(r"\boxed{y = 2}")),
    ("[2, 5)", r1(r"\boxed{[2,5]}")),
    (r"(2, \infty)", r1(r"\boxed{x > 2}")),  # a relation is not read as a set: see docs
    (r"\{1, 2\}", r1(r"\boxed{1, 3}")),
    (r"\{1, 2, 3\}", r1(r"\boxed{1, 2}")),
    ("Evelyn", r1(r"\boxed{\text{Nevyle}}")),
    ("7", r1(r"\boxed{8}")),
    ("7", r"<think>\boxed{7}</think><answer>8</answer>"),
    ("7", "No tags. Hence \\boxed{8}."),
]


@pytest.mark.parametrize(("gold", "completion"), DIFFERENT)
def test_different_answers_score_zero(gold: str, completion: str) -> None:
    assert_verdict(grade(gold, completion), 0.0, "different")


@pytest.mark.parametrize(
    ("gold", "answer"),
    [
        ("5", r"\boxed{x+y=5}"),  # an equation is not a value
        ("0", r"\boxed{3x+4y+14=0}"),
        ("3", r"\boxed{3 = 3}"),
    ],
)
def test_an_equation_does_not_answer_for_a_value(gold: str, answer: str) -> None:
    score = grade(gold, r1(answer))
    assert_verdict(score, 0.0, "different")
    assert "equation" in score.reason


# -- hedging ----------------------------------------------------------------------------------

HEDGED = [
    ("3", r1(r"\boxed{2} or maybe \boxed{3}")),
    ("2", r1(r"\boxed{2} or maybe \boxed{3}")),
    ("3", r1(r"\boxed{2 \text{ or } 3}")),
    ("3", r1(r"\boxed{2, 3}")),
    ("3", r1("2 or 3")),
    ("3", r1("It is either $2$ or $3$.")),
    ("3", "No tags: the answer is 2 or 3."),
    ("2021", r1(r"\boxed{\pm 2021}")),  # issue #14, the other direction
    ("2021", r1(r"\boxed{\pm2021}")),
    ("2021", "The answer is ±2021."),
    ("x = 2", r1(r"\boxed{x = 2 \text{ or } x = 3}")),
    ("1", r1(r"\boxed{x = 1, 2}")),
    ("2", r1(r"\boxed{1,2,3,4,5,6,7,8,9,10}")),
    ("5", r1(" ".join(f"\\boxed{{{n}}}" for n in range(1, 7)) + r" \boxed{5}")),
]


@pytest.mark.parametrize(("gold", "completion"), HEDGED)
def test_several_candidate_values_are_hedging(gold: str, completion: str) -> None:
    assert_verdict(grade(gold, completion), 0.0, "hedged")


def test_boxes_outside_the_answer_block_are_not_hedging() -> None:
    completion = r"<think>\boxed{2} is wrong, so \boxed{3}</think><answer>\boxed{3}</answer>"
    assert_verdict(grade("3", completion), 1.0, "equivalent")


# -- no answer, unreadable answers, bad golds --------------------------------------------------


@pytest.mark.parametrize(
    "completion",
    [
        "",
        "   ",
        r1(""),
        r1(r"\boxed{}"),
        "No tags and nothing that looks like an answer at all.",
        r1("I could not solve this one, sorry."),
        # an <answer> block that says nothing: the box outside it does not count
        "<answer>See the reasoning above for details.</answer> \\boxed{5}",
    ],
)
def test_no_answer_scores_zero(completion: str) -> None:
    score = grade("5", completion)
    assert_verdict(score, 0.0, "no_answer")
    assert score.error is None


@pytest.mark.parametrize(
    "completion",
    [
        r"The last box is cut off: \boxed{5",  # truncated generation; the 5 may be 5\sqrt{2}
        r"\boxed{5} and then \boxed{12",
        r1(r"\boxed{\frac{}{}}"),
    ],
)
def test_unreadable_answer_scores_zero(completion: str) -> None:
    assert_verdict(grade("5", completion), 0.0, "unparsable_answer")


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # malformed tags: no complete <answer> block, so the whole completion is read
        (r"<think>so</think><answer>\boxed{5}", 1.0),
        (r"<answer>\boxed{5}</think>", 1.0),
        (r"<think>\boxed{5}</answer>", 1.0),
        (r"<think>unclosed think \boxed{4}", 0.0),
    ],
)
def test_malformed_tags_fall_back_to_the_whole_completion(completion: str, expected: float) -> None:
    assert grade("5", completion).value == expected


@pytest.mark.parametrize(
    "reference",
    [
        {},
        {"answer": None},
        {"answer": ""},
        {"answer": "   "},
        {"answer": True},
        {"answer": ["5"]},
        {"answer": "12/0"},
        {"answer": r"\frac{3}{0}"},
        {"answer": r"\frac{}{}"},
    ],
)
def test_a_bad_reference_is_an_error_and_never_a_score(reference: dict) -> None:
    score = math_accuracy(GradingInput(completion=r1(r"\boxed{5}"), reference=reference))
    assert_verdict(score, None, "bad_reference")
    assert score.error is not None
    assert score.error.code == "bad_reference"


def test_a_bad_reference_wins_over_a_missing_answer() -> None:
    score = grade(r"\frac{}{}", "")
    assert score.value is None
    assert score.details["verdict"] == "bad_reference"


# -- the parts that keep it fast and safe ---------------------------------------------------------


def test_details_carry_extracted_reference_and_verdict() -> None:
    score = grade("72/19", r1(r"\boxed{\frac{72}{19}}"))
    assert score.details == {
        "extracted": r"\frac{72}{19}",
        "reference": "72/19",
        "verdict": "equivalent",
    }
    assert "equivalent" in score.reason


def test_samples_sharing_a_final_answer_are_compared_once() -> None:
    gold = r"\frac{355}{113}"
    before = module._judge_cached.cache_info()
    scores = [grade(gold, r1(r"\boxed{355/113}", thinking=f"sample {i}")) for i in range(16)]
    after = module._judge_cached.cache_info()
    assert all(score.value == 1.0 for score in scores)
    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 15


def test_samples_sharing_a_final_answer_share_a_verdict_key() -> None:
    def key(completion: str) -> tuple:
        return module.verdict_key(GradingInput(completion=completion, reference={"answer": "7"}))

    assert key(r1(r"\boxed{7}", thinking="one way")) == key(r1(r"\boxed{7}", thinking="another"))
    assert key(r1(r"\boxed{7}")) != key(r1(r"\boxed{8}"))
    assert key("What is 3 + 4 ?") == key("")  # no answer, whatever the text


def test_grading_works_outside_the_main_thread() -> None:
    # math-verify's timeouts use signal.alarm, which only the main thread may set.
    results: list[Score] = []
    worker = threading.Thread(
        target=lambda: results.append(grade("2.5", r1(r"\boxed{\frac{5}{2}}")))
    )
    worker.start()
    worker.join(timeout=60)
    assert results
    assert_verdict(results[0], 1.0, "equivalent")


def test_a_long_completion_is_graded_without_caching_it() -> None:
    completion = "word " * 5000 + r"\boxed{5}"
    assert_verdict(grade("5", completion), 1.0, "equivalent")
    assert_verdict(grade("5", "word " * 5000 + "so the answer is 5."), 1.0, "equivalent")


def test_a_power_tower_runs_out_of_cpu_time_into_a_timeout_error() -> None:
    # 5^(5^3125) cannot be computed; the CPU-time budget stops it in the main thread, and a
    # timeout is an explicit error with a null score, never a 0 (contract v2).
    score = grade("5", r1(r"\boxed{5^{5^{5^{5^5}}}}"))
    assert_verdict(score, None, "timeout")
    assert score.error is not None and score.error.code == "timeout"


_FRAGMENTS = st.sampled_from(
    [
        "<think>",
        "</think>",
        "<answer>",
        "</answer>",
        r"\boxed{",
        r"\fbox{",
        "{",
        "}",
        "$",
        r"\frac{",
        r"\pm",
        "±",
        " or ",
        "=",
        "x",
        "2",
        "3",
        ".5",
        "/",
        "^",
        "%",
        r"\text{ cm}",
        ",",
        "(",
        ")",
        "[",
        "]",
        r"\sqrt",
        " the answer is ",
        "\n",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    completion=st.lists(_FRAGMENTS, max_size=14).map("".join),
    gold=st.sampled_from(["2", "3", r"\frac{1}{2}", "x = 2", r"\pm 3", "[2, 3)", r"\{2, 3\}"]),
)
def test_any_completion_gets_a_clean_score(completion: str, gold: str) -> None:
    score = grade(gold, completion)
    assert score.value in (0.0, 1.0)
    assert score.details["verdict"] in {
        "equivalent",
        "different",
        "hedged",
        "no_answer",
        "unparsable_answer",
    }
    assert (score.value == 1.0) == (score.details["verdict"] == "equivalent")


def test_an_unreadable_box_does_not_fall_back_to_its_last_number() -> None:
    # math-verify's free extraction would read `5 \vee 6` as 6.
    assert_verdict(grade("6", r1(r"\boxed{5 \vee 6}")), 0.0, "unparsable_answer")
