"""Contract v2's reading rules for math, as probes: each is a hole a policy would find.

Reading the final answer (markers, echoes), reading golds (several boxes, LaTeX without `$`),
multi-part answers compared as structures, and the spellings normalised before math-verify.
"""

from __future__ import annotations

import pytest

from rewardd.rewards.math_accuracy import math_accuracy
from rewardd.rewards.math_reading import (
    as_bare_math,
    clean_math,
    gold_parts,
    is_blank,
    marked_answer,
    math_spans,
    read_final_answer,
)
from rewardd.rewards.types import GradingInput, Score


def grade(gold: str, completion: str) -> Score:
    return math_accuracy(GradingInput(completion=completion, reference={"answer": gold}))


def boxed(answer: str) -> str:
    return f"<think>Working it out.</think>\n<answer>\\boxed{{{answer}}}</answer>"


def verdict_of(gold: str, completion: str) -> tuple[float | None, str]:
    score = grade(gold, completion)
    return score.value, score.details["verdict"]


# -- text without a marker is never an answer -------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "completion"),
    [
        ("2", "What is 1 + 1 ?"),  # the question, echoed (found under TRL with a random policy)
        ("144", "Compute 12 * 12."),
        ("2", "1 + 1"),
        ("144", "12 \\times 12"),
        ("2", "<think>What is 1 + 1 ?</think>"),
        ("7", "so x = 7"),
        ("7", "Adding them gives 7 apples"),
    ],
)
def test_unmarked_text_is_no_answer(gold: str, completion: str) -> None:
    assert verdict_of(gold, completion) == (0.0, "no_answer")


@pytest.mark.parametrize(
    ("completion", "gold"),
    [
        ("Answer the following: 1 + 1 = ?", "2"),  # "Answer" as a verb is no marker
        ("Answer the question: what is 1 + 1", "2"),
        ("Final answer: what is 1 + 1?", "2"),  # a question after a marker answers nothing
    ],
)
def test_a_marker_word_in_an_echoed_question_is_no_answer(completion: str, gold: str) -> None:
    assert verdict_of(gold, completion) == (0.0, "no_answer")


@pytest.mark.parametrize(
    ("prompt", "completion", "gold", "expected"),
    [
        ("What is 1 + 1?", "The answer is 1 + 1.", "2", (0.0, "no_answer")),
        ("Compute 12 * 12.", "Final answer: Compute 12 * 12.", "144", (0.0, "no_answer")),
        ("Compute $12 \\times 12$.", boxed("12 \\times 12"), "144", (0.0, "no_answer")),
        ("Compute $2^{10}$.", boxed("2^{10}"), "1024", (0.0, "no_answer")),
        # the value itself, the gold's own form, and expressions the prompt does not hold
        ("Compute $12 \\times 12$.", boxed("144"), "144", (1.0, "equivalent")),
        ("Compute $2^{10}$.", boxed("2^{10}"), "2^{10}", (1.0, "equivalent")),
        ("Find a + b.", boxed("2+3"), "5", (1.0, "equivalent")),
        ("Is 2 prime? What is 1+1?", boxed("2"), "2", (1.0, "equivalent")),
        # not arithmetic: a choice the prompt offers may be the answer
        ("(A) $2+\\sqrt{3}$ (B) $2$", boxed("2+\\sqrt{3}"), "2+\\sqrt{3}", (1.0, "equivalent")),
    ],
)
def test_an_answer_that_repeats_the_question_is_no_answer(
    prompt: str, completion: str, gold: str, expected: tuple[float, str]
) -> None:
    score = math_accuracy(
        GradingInput(completion=completion, reference={"answer": gold}, prompt=prompt)
    )
    assert (score.value, score.details["verdict"]) == expected


@pytest.mark.parametrize(
    ("completion", "gold", "expected"),
    [
        ("12 + 30 = 42.\n#### 42", "42", 1.0),  # GSM8K, as verl's gsm8k prompt asks
        ("#### 42", "42", 1.0),  # at the very start, no prose before it
        ("####42", "42", 1.0),
        ("Natalia sold 24 clips.\n#### 72", "72", 1.0),
        ("#### 1,000", "1000", 1.0),
        ("12 + 30 = 42.\n#### 41", "42", 0.0),
        ("Therefore, the final answer is $7$. I hope it is correct.", "7", 1.0),
        ("Final answer: 7", "7", 1.0),
        ("Answer: 7", "7", 1.0),
        ("**Answer:** $\\frac{1}{2}$", "0.5", 1.0),
        ("Some work.\n**Final Answer**\n\n7", "7", 1.0),
        ("So the answer is 7.", "7", 1.0),
        ("所以答案是 7", "7", 1.0),
        # the statement after the marker is the answer, not a later number
        ("The answer is 5. Check: 10 - 2 = 8", "8", 0.0),
        ("The answer is 5. Check: 10 - 2 = 8", "5", 1.0),
        # the last marker wins
        ("Answer: 3. Wait, that is wrong. The final answer is 4.", "4", 1.0),
        # a marker followed by no number gives no number from before it
        ("The result: 7 is what we get when the answer is unknown", "7", 0.0),
    ],
)
def test_final_answer_markers(completion: str, gold: str, expected: float) -> None:
    assert grade(gold, completion).value == expected


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("#### 42", "42"),
        ("x\n#### 42\n", "42"),
        ("The final answer is $7$. I hope it is correct.", "$7$"),
        ("Answer: 3.5 apples", "3.5 apples"),
        ("Answer $$ \n 9 \n $$ done", "$$ \n 9 \n $$ done"),
        ("no marker here", None),
        ("Answer:", None),
    ],
)
def test_marked_answer_reads_the_statement_after_the_last_marker(
    text: str, statement: str | None
) -> None:
    assert marked_answer(text) == statement


def test_a_box_comes_before_a_marker_and_a_block_before_both() -> None:
    assert read_final_answer(r"Answer: 3. So \boxed{4}").final == "4"
    assert read_final_answer(r"\boxed{4} <answer>5</answer> Answer: 6").final == "5"
    # Inside an <answer> block the whole text is the answer; markers are not needed.
    assert read_final_answer("<answer>7</answer>").final == "7"


# -- golds --------------------------------------------------------------------------------------

MATRIX = r"\begin{pmatrix} -1/3 \\ 2/3 \\ 5/3 \end{pmatrix}"


@pytest.mark.parametrize(
    ("gold", "completion", "expected"),
    [
        # LaTeX without `$` is math, never prose and then its last number
        (MATRIX, boxed(r"\frac{5}{3}"), (0.0, "different")),
        (MATRIX, boxed(MATRIX), (1.0, "equivalent")),
        (
            MATRIX,
            boxed(r"\begin{pmatrix} -\frac13 \\ \frac23 \\ \frac53 \end{pmatrix}"),
            (1.0, "equivalent"),
        ),
        (r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", boxed("4"), (0.0, "different")),
        (
            r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
            boxed(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}"),
            (1.0, "equivalent"),
        ),
        (
            r"\left[\begin{array}{cc} 1 & 2 \\ 3 & 4 \end{array}\right]",
            boxed("4"),
            (0.0, "different"),
        ),
        # several boxes in a gold are one multi-part answer
        (
            r"$$\boxed{2}, \boxed{3}, \boxed{5}, \boxed{7}, \boxed{13}$$",
            boxed("13"),
            (0.0, "different"),
        ),
        (
            r"$$\boxed{2}, \boxed{3}, \boxed{5}, \boxed{7}, \boxed{13}$$",
            boxed("2, 3, 5, 7, 13"),
            (1.0, "equivalent"),
        ),
        (
            r"$$\boxed{2}, \boxed{3}, \boxed{5}, \boxed{7}, \boxed{13}$$",
            boxed(r"\{13, 7, 5, 3, 2\}"),
            (1.0, "equivalent"),
        ),
        # open-r1 style: the whole solution is the gold; its one box is the answer
        (r"Adding, we get $5 + 7 = \boxed{12}$, which is even.", boxed("12"), (1.0, "equivalent")),
        ("Natalia sold 48/2 = 24 clips in May.\n#### 72", boxed("72"), (1.0, "equivalent")),
        # a blank box in a gold is no part of it
        (r"\boxed{\phantom{0}} \boxed{5}", boxed("5"), (1.0, "equivalent")),
    ],
)
def test_golds(gold: str, completion: str, expected: tuple[float, str]) -> None:
    assert verdict_of(gold, completion) == expected


def test_gold_parts() -> None:
    assert gold_parts(r"$$\boxed{2}, \boxed{3}$$") == ("2", "3")
    assert gold_parts(r"\boxed{2} then \boxed{ 2 }") == ("2",)
    assert gold_parts("x\n#### 72") == ("72",)
    assert gold_parts(MATRIX) == (MATRIX,)


# -- several values: a hedge against one value, a structure against several ---------------------


@pytest.mark.parametrize(
    ("gold", "completion", "expected"),
    [
        ("x = 1, 2", boxed("1, 2"), (1.0, "equivalent")),
        ("x = 1, 2", boxed(r"\{2, 1\}"), (1.0, "equivalent")),
        ("x = 1, 2", boxed("x = 1, 2"), (1.0, "equivalent")),
        ("x = 1, 2", boxed(r"x = 1 \text{ or } x = 2"), (1.0, "equivalent")),
        ("x = 1, 2", boxed("1"), (0.0, "different")),
        ("x = 1, 2", boxed("1, 3"), (0.0, "different")),
        ("x = 1, 2", boxed("1, 2, 3"), (0.0, "different")),
        (r"a=4,\,-8,\,-10", boxed("-10,-8,4"), (1.0, "equivalent")),
        (r"a=4,\,-8,\,-10", boxed("4, -8"), (0.0, "different")),
        ("(3,2)", boxed("(x,y)=(3,2)"), (1.0, "equivalent")),
        ("(3,2)", boxed("(x,y)=(2,3)"), (0.0, "different")),
        ("(3,2)", boxed("(2,3)"), (0.0, "different")),
        ("$21,16$ or $11$", boxed("11, 16, 21"), (1.0, "equivalent")),
        ("$21,16$ or $11$", boxed("21"), (0.0, "different")),
        ("$21,16$ or $11$", boxed("21, 16"), (0.0, "different")),
        # against one value, several values are a hedge
        ("2", boxed("1, 2"), (0.0, "hedged")),
        ("2", boxed(r"x = 1 \text{ or } x = 2"), (0.0, "hedged")),
        ("2", r"<answer>\boxed{2} \text{ and } \boxed{3}</answer>", (0.0, "hedged")),
        ("3", r"<answer>\boxed{2} \text{ and } \boxed{3}</answer>", (0.0, "hedged")),
    ],
)
def test_several_values(gold: str, completion: str, expected: tuple[float, str]) -> None:
    assert verdict_of(gold, completion) == expected


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # Decided: against a multi-part gold, the last run of boxes joined only by connectors
        # (",", "and", "\quad", "\text{...}", "x =") is one answer, compared whole.
        (r"\boxed{(2, 2)} \text{ and } \boxed{(6, 2)}", (1.0, "equivalent")),
        (r"So $\boxed{(6, 2)}$ and $\boxed{(2, 2)}$.", (1.0, "equivalent")),
        (r"\boxed{(2, 2)}, \quad \boxed{(6, 2)}", (1.0, "equivalent")),
        (r"\boxed{(2, 2), (6, 2)}", (1.0, "equivalent")),
        (r"\boxed{(2, 2)}", (0.0, "different")),
        # boxing one more pair makes the whole answer wrong, so joining cannot be gamed
        (r"\boxed{(2, 2)}, \boxed{(6, 2)}, \boxed{(1, 1)}", (0.0, "different")),
        # a different answer boxed earlier is a hedge, as for one-value golds
        (r"Maybe \boxed{(1, 1)}.  No: \boxed{(2, 2)} and \boxed{(6, 2)}", (0.0, "hedged")),
        # earlier boxes that restate parts of the final answer are not
        (
            r"First \boxed{(2, 2)}.  Also \boxed{(6, 2)}.  So: \boxed{(2, 2)} and \boxed{(6, 2)}",
            (1.0, "equivalent"),
        ),
    ],
)
def test_multiple_answer_boxes_against_a_multi_part_gold(
    completion: str, expected: tuple[float, str]
) -> None:
    assert verdict_of("(2, 2), (6, 2)", completion) == expected


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # R1-distilled models get <think> from the prompt and write only </think>: boxes in the
        # reasoning are steps; the candidates are the boxes after it.
        (
            r"so \boxed{5}? No, wait: \boxed{6}.</think> The answer is \boxed{6}.",
            (1.0, "equivalent"),
        ),
        (r"<think>\boxed{5}</think> So \boxed{6}.", (1.0, "equivalent")),
        (r"<think>\boxed{6}</think> So \boxed{5}.", (0.0, "different")),
        (r"</think> Maybe \boxed{5}, or \boxed{6}.", (0.0, "hedged")),
        # with no box after </think>, every box of the completion is a candidate
        (r"so \boxed{5}? No, wait: \boxed{6}.</think> The answer is 6.", (0.0, "hedged")),
    ],
)
def test_boxes_inside_the_reasoning_are_not_candidates(
    completion: str, expected: tuple[float, str]
) -> None:
    assert verdict_of("6", completion) == expected


def test_a_final_run_of_boxes_is_found() -> None:
    answer = read_final_answer(r"Try \boxed{9}. Then \boxed{1} \quad\text{and}\quad \boxed{2}.")
    assert answer.run == ("1", "2")
    assert answer.others == ("9",)


# -- normalised before math-verify ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "completion", "expected"),
    [
        (r"1 - \frac{1}{\mathrm{e}}", boxed("1 - 1/e"), (1.0, "equivalent")),
        (r"1 - \frac{1}{\mathrm{e}}", boxed(r"1 - \frac{1}{\mathrm{e}}"), (1.0, "equivalent")),
        (r"1 - \frac{1}{\mathrm{e}}", boxed(r"1 + \frac{1}{\mathrm{e}}"), (0.0, "different")),
        (r"2\mathrm{e}", boxed("2e"), (1.0, "equivalent")),
        ("2e", boxed(r"2\mathrm{e}"), (1.0, "equivalent")),
        (r"2\mathrm{e}", boxed("2"), (0.0, "different")),
        ("1000", boxed("1 000"), (1.0, "equivalent")),
        ("1000000", boxed("1 000 000"), (1.0, "equivalent")),
        ("0", boxed("1 000"), (0.0, "different")),
        ("1000", boxed("1\u2009000"), (1.0, "equivalent")),
        ("12:00", boxed("12:00"), (1.0, "equivalent")),  # a time of day, not 12/0
        ("12:00", boxed("1:00"), (0.0, "different")),
        # a number's base is part of it (math-verify drops the subscript)
        ("52_8", boxed("52_8"), (1.0, "equivalent")),
        ("52_8", boxed("52_9"), (0.0, "different")),
        ("204_{5}", boxed("204_5"), (1.0, "equivalent")),
        # a blank box copied from the problem is not an answer box
        (
            "5",
            r"Fill in $\boxed{\phantom{2}}$. We find the answer is \boxed{5}.",
            (1.0, "equivalent"),
        ),
        ("5", r"<answer>\boxed{\phantom{2}}</answer>", (0.0, "no_answer")),
        ("5", r"Compute $3 + 2 = \boxed{\phantom{5}}$.", (0.0, "no_answer")),
    ],
)
def test_normalised_spellings(gold: str, completion: str, expected: tuple[float, str]) -> None:
    assert verdict_of(gold, completion) == expected


@pytest.mark.parametrize(
    ("content", "blank"),
    [
        ("", True),
        (r"\phantom{2}", True),
        (r"\hphantom{12} \quad", True),
        ("?", True),
        (r"\underline{\qquad}", True),
        ("0", False),
        (r"\phantom{2}3", False),
    ],
)
def test_blank_boxes(content: str, blank: bool) -> None:
    assert is_blank(content) == blank


# -- hostile text ---------------------------------------------------------------------------------

MEGABYTE_OF = {
    "spans and a space run": "$1$ or $2$" + " " * 1_000_000 + "x",
    "many spans": "$1$ , " * 170_000 + "x",
    "markers": "the final answer is " * 50_000,
    "gsm8k markers": "#### " * 200_000,
    "blank boxes": "\\boxed{\\phantom{2}}" * 50_000,
    "box runs": "\\boxed{1} and " * 70_000,
    "spaced digits": "1 " * 500_000,
    "dollars": "$" * 1_000_000,
}


@pytest.mark.parametrize("name", MEGABYTE_OF)
def test_reading_a_hostile_megabyte_is_linear(name: str) -> None:
    # A quadratic scan here takes hours and trips pytest's watchdog instead of passing.
    text = MEGABYTE_OF[name]
    read_final_answer(text)
    read_final_answer(f"<answer>{text}</answer>")
    gold_parts(text)
    marked_answer(text)
    math_spans(text)
    clean_math(text)
    as_bare_math(text)
