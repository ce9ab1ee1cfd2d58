"""Format, tag count, reasoning steps, length and repetition components."""

from __future__ import annotations

import math

import pytest

from rewardd.rewards.formatting import format_reward, tag_count
from rewardd.rewards.length import cosine_scaled, soft_overlong
from rewardd.rewards.reasoning import reasoning_steps
from rewardd.rewards.repetition import repetition_penalty
from rewardd.rewards.types import GradingInput, Score


def item(completion: str = "", tokens: int = 0) -> GradingInput:
    return GradingInput(completion=completion, completion_tokens=tokens)


# --- format ---------------------------------------------------------------------------

WELL_FORMED = [
    "<think>\nLet me add.\n</think>\n<answer>\n4\n</answer>",
    "<think>Let me add.</think><answer>4</answer>",
    "  \n<think>a</think>\n\n\t<answer>4</answer>\n ",
    "<think>\n\n</think><answer>4</answer>",  # R1 with thinking switched off
    "<think></think><answer></answer>",  # the contract grades structure only
    "<think>a < b and b > c</think><answer>x</answer>",  # angle brackets are not tags
]


@pytest.mark.parametrize("completion", WELL_FORMED)
def test_format_accepts_one_think_then_one_answer(completion: str) -> None:
    score = format_reward(item(completion))
    assert score.value == 1.0, score.reason


MALFORMED = {
    "missing </think>": ("<think>reasoning<answer>4</answer>", "</think> 0 times"),
    "missing </answer>": ("<think>r</think><answer>4", "</answer> 0 times"),
    "missing <think>": ("reasoning</think><answer>4</answer>", "<think> 0 times"),
    "no tags": ("The answer is 4.", "<think> 0 times"),
    "two answers": ("<think>r</think><answer>4</answer><answer>5</answer>", "<answer> 2 times"),
    "two thinks": ("<think>a</think><think>b</think><answer>4</answer>", "<think> 2 times"),
    "nested think": ("<think>a<think>b</think>c</think><answer>4</answer>", "<think> 2 times"),
    "answer inside think": ("<think>r<answer>4</answer></think>", "out of order"),
    "answer before think": ("<answer>4</answer><think>r</think>", "out of order"),
    "closing before opening": ("</think>r<think><answer>4</answer>", "out of order"),
    "text before": ("Sure! <think>r</think><answer>4</answer>", "before <think>"),
    "text between": ("<think>r</think> so <answer>4</answer>", "between </think> and <answer>"),
    "text after": ("<think>r</think><answer>4</answer> Done.", "after </answer>"),
    "upper-case tags": ("<THINK>r</THINK><ANSWER>4</ANSWER>", "<think> 0 times"),
    "empty": ("", "<think> 0 times"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_format_rejects_malformed_tags_and_says_why(case: str) -> None:
    completion, why = MALFORMED[case]
    score = format_reward(item(completion))
    assert score.value == 0.0
    assert why in score.reason


# --- tag_count ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("<think>\nr\n</think>\n<answer>\n4\n</answer>", 1.0),
        ("<think>r</think><answer>4</answer>", 1.0),  # open-r1 gives 0.0: no newlines
        ("<think>r</think>", 0.5),
        ("<think>r</think><answer>4</answer><answer>5</answer>", 0.5),
        ("<think>a<think>b</think></think><answer>4</answer>", 0.5),
        ("reasoning</think><answer>4", 0.5),
        ("Text <think>r</think> text <answer>4</answer> text", 1.0),  # order is format's job
        ("", 0.0),
    ],
)
def test_tag_count_gives_a_quarter_per_tag_seen_exactly_once(
    completion: str, expected: float
) -> None:
    score = tag_count(item(completion))
    assert score.value == expected
    assert set(score.details["tags"]) == {"<think>", "</think>", "<answer>", "</answer>"}


def open_r1_tag_count(text: str) -> float:
    """open-r1's count_tags, copied literally, to show where the two differ."""
    count = 0.0
    if text.count("<think>\n") == 1:
        count += 0.25
    if text.count("\n</think>\n") == 1:
        count += 0.25
    if text.count("\n<answer>\n") == 1:
        count += 0.25
    if text.count("\n</answer>") == 1:
        count += 0.25
    return count


def test_tag_count_equals_open_r1_when_the_newline_convention_is_kept() -> None:
    completion = "<think>\nr\n</think>\n<answer>\n4\n</answer>"
    assert tag_count(item(completion)).value == open_r1_tag_count(completion) == 1.0
    compact = "<think>r</think><answer>4</answer>"
    assert open_r1_tag_count(compact) == 0.0
    assert tag_count(item(compact)).value == 1.0


# --- reasoning_steps ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # open-r1's own test cases
        ("Step 1: First step\nStep 2: Second step\nStep 3: Third step", 1.0),
        ("First, we do this.\nSecond, we do that.\nFinally, we conclude.", 1.0),
        ("Step 1: Only step", 1 / 3),
        ("First, we do this.\nFinally, we conclude.", 2 / 3),
        ("Just plain text without any clear steps", 0.0),
        # More than three markers still gives 1.
        ("Step 1: a\nStep 2: b\nStep 3: c\nStep 4: d\nFinally, e", 1.0),
        # Bullets are counted by their preceding newline.
        ("Plan:\n- factor\n* solve", 2 / 3),
        # Without re.MULTILINE `^\d+\.` only matches at the very start: one step, not three.
        ("1. factor\n2. solve\n3. check", 1 / 3),
        ("Then:\n1. factor\n2. solve", 0.0),
        # Case matters, and the comma is part of the marker.
        ("first, then next, finally", 0.0),
        ("First we factor.", 0.0),
    ],
)
def test_reasoning_steps_counts_open_r1_markers(completion: str, expected: float) -> None:
    score = reasoning_steps(item(completion))
    assert score.value == pytest.approx(expected)


def test_reasoning_steps_details_list_the_markers() -> None:
    score = reasoning_steps(item("First, a. Next, b."))
    assert score.details == {"steps": 2, "markers": ["First,", "Next,"]}


# --- cosine ---------------------------------------------------------------------------

CORRECT = Score(1.0, "equivalent")
WRONG = Score(0.0, "different")
UNKNOWN = Score(None, "the gold answer cannot be parsed")


def open_r1_cosine(length: int, correct: bool, max_len: int = 1000) -> float:
    """open-r1's formula with its defaults, copied literally."""
    min_value_wrong, max_value_wrong = -1.0, -0.5
    min_value_correct, max_value_correct = 0.5, 1.0
    progress = length / max_len
    cosine = math.cos(progress * math.pi)
    if correct:
        min_value = min_value_correct
        max_value = max_value_correct
    else:
        min_value = max_value_wrong
        max_value = min_value_wrong
    return min_value + 0.5 * (max_value - min_value) * (1.0 + cosine)


@pytest.mark.parametrize(
    ("tokens", "accuracy", "expected"),
    [
        (0, CORRECT, 1.0),
        (500, CORRECT, 0.75),
        (1000, CORRECT, 0.5),
        (0, WRONG, -1.0),
        (500, WRONG, -0.75),
        (1000, WRONG, -0.5),
        # Past max_len the length counts as max_len (open-r1 would wrap around).
        (2000, CORRECT, 0.5),
        (2000, WRONG, -0.5),
    ],
)
def test_cosine_with_open_r1_defaults(tokens: int, accuracy: Score, expected: float) -> None:
    score = cosine_scaled(item(tokens=tokens), accuracy)
    assert score.value == pytest.approx(expected)


@pytest.mark.parametrize("tokens", [0, 1, 137, 400, 999, 1000])
@pytest.mark.parametrize("correct", [True, False])
def test_cosine_equals_open_r1_up_to_max_len(tokens: int, correct: bool) -> None:
    score = cosine_scaled(item(tokens=tokens), CORRECT if correct else WRONG)
    assert score.value == pytest.approx(open_r1_cosine(tokens, correct))


def test_cosine_reproduces_open_r1_test_values() -> None:
    # open-r1's tests/test_rewards.py: max_len=100; their 20-character case is really
    # 22 characters long (the unpadded "\boxed{\frac{63}{400}}").
    for tokens, accuracy, expected in [
        (22, CORRECT, 0.943),
        (80, CORRECT, 0.547),
        (22, WRONG, -0.942),
        (80, WRONG, -0.547),
    ]:
        score = cosine_scaled(item(tokens=tokens), accuracy, max_len=100)
        assert score.value == pytest.approx(expected, abs=0.005)


def test_cosine_is_not_applicable_without_accuracy() -> None:
    score = cosine_scaled(item(tokens=10), UNKNOWN)
    assert score.value is None
    assert "accuracy" in score.reason


# --- soft_overlong --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (0, 0.0),
        (12288, 0.0),  # 16384 - 4096: the last length without penalty
        (12289, -1 / 4096),
        (14336, -0.5),
        (16384, -1.0),
        (16385, -1.0),
        (100_000, -1.0),
    ],
)
def test_soft_overlong_with_dapo_defaults(tokens: int, expected: float) -> None:
    assert soft_overlong(item(tokens=tokens)).value == pytest.approx(expected)


def test_soft_overlong_with_custom_budget() -> None:
    assert (
        soft_overlong(item(tokens=90), max_completion_len=100, soft_punish_cache=20).value == -0.5
    )
    assert soft_overlong(item(tokens=80), max_completion_len=100, soft_punish_cache=20).value == 0.0
    assert (
        soft_overlong(item(tokens=101), max_completion_len=100, soft_punish_cache=0).value == -1.0
    )
    assert soft_overlong(item(tokens=100), max_completion_len=100, soft_punish_cache=0).value == 0.0


# --- repetition_penalty ---------------------------------------------------------------


def open_r1_repetition(completion: str, ngram_size: int, max_penalty: float) -> float:
    """open-r1's repetition_penalty_reward for language="en", copied literally."""

    def zipngram(text: str, ngram_size: int):
        words = text.lower().split()
        return zip(*[words[i:] for i in range(ngram_size)], strict=False), words

    if completion == "":
        return 0.0
    ngrams = set()
    total = 0
    ngram_array, words = zipngram(completion, ngram_size)
    if len(words) < ngram_size:
        return 0.0
    for ng in ngram_array:
        ngrams.add(ng)
        total += 1
    scaling = 1 - len(ngrams) / total
    return scaling * max_penalty


REPETITION_CASES = [
    # (text, ngram_size, max_penalty, expected worked out by hand)
    ("the cat sat on the mat", 3, -1.0, 0.0),  # 4 trigrams, all distinct
    ("a b c a b c", 3, -1.0, -0.25),  # abc bca cab abc: 3 distinct of 4
    ("go go go go go", 3, -1.0, -2 / 3),  # 3 trigrams, 1 distinct
    ("Hello hello HELLO world", 3, -1.0, 0.0),  # lower-cased: hhh hhw, both distinct
    ("wait wait wait wait", 3, -1.0, -0.5),  # www www: 1 distinct of 2
    ("so so so", 3, -1.0, 0.0),  # exactly one trigram
    ("one two", 3, -1.0, 0.0),  # shorter than one trigram
    ("", 3, -1.0, 0.0),
    ("   \n ", 3, -1.0, 0.0),
    ("a b a b", 2, -0.5, -1 / 6),  # ab ba ab: 2 distinct of 3, times 0.5
    ("x y x y x y", 2, -2.0, -1.2),  # xy yx xy yx xy: 2 distinct of 5 -> 0.6 * -2
]


@pytest.mark.parametrize(("text", "ngram_size", "max_penalty", "expected"), REPETITION_CASES)
def test_repetition_penalty_matches_hand_values_and_open_r1(
    text: str, ngram_size: int, max_penalty: float, expected: float
) -> None:
    score = repetition_penalty(item(text), ngram_size=ngram_size, max_penalty=max_penalty)
    assert score.value == pytest.approx(expected)
    assert score.value == pytest.approx(open_r1_repetition(text, ngram_size, max_penalty))


def test_repetition_penalty_defaults_are_word_trigrams_to_minus_one() -> None:
    looping = "Let me check again. " * 50
    score = repetition_penalty(item(looping))
    # 200 words, 198 trigrams; only the 4 rotations of the phrase are distinct.
    assert score.value == pytest.approx(-(1 - 4 / 198))
    assert score.details == {"ngrams": 198, "distinct_ngrams": 4}
    assert -1.0 <= score.value <= 0.0


def test_repetition_penalty_refuses_a_positive_maximum() -> None:
    with pytest.raises(ValueError, match="should not be positive"):
        repetition_penalty(item("a b c"), max_penalty=0.5)
