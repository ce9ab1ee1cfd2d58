"""Parity with open-r1's reward functions, from the figures of open-r1's own test suite.

open-r1 is not on PyPI, so its code cannot come in as a package. These tests take the inputs and
expected values of huggingface/open-r1's `tests/test_rewards.py` (main at 1416fa0) as test data,
call `trainer_client.rewards` exactly as open-r1's tests call `open_r1.rewards` (completions as
`[{"content": ...}]`, no role), and expect the same numbers, except for the deliberate and
documented differences (docs/trainer.md), each tested as such here:

- an unparsable gold gives None (open-r1: counted as correct by `len_reward`);
- `repetition_penalty` with `language="zh"` raises (open-r1 splits Chinese with jieba);
- parameters other than the service's defaults are applied by the service (CONTRACT v2
  `params`); a service that does not take them refuses with a RewardServiceError.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from trainer_client import rewards
from trainer_client.client import RewardClient, RewardServiceError

pytestmark = pytest.mark.slow


def content(text: str) -> list[dict[str, str]]:
    """open-r1's tests give each completion as one message with only a `content`."""
    return [{"content": text}]


@pytest.fixture(scope="module")
def takes_params(rewardd_url: str) -> bool:
    rewards.configure(rewardd_url)
    return RewardClient(rewardd_url).takes_params()


def expect_with_params(takes_params: bool, call: Callable[[], list], expected: list) -> None:
    """open-r1's figure when the service applies the parameters; else a refusal, never numbers
    computed with other parameters."""
    if takes_params:
        assert call() == pytest.approx(expected, abs=5e-3)
    else:
        with pytest.raises(RewardServiceError, match="component parameters"):
            call()


# ---- accuracy, format, steps, tags ----------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "solution", "expected"),
    [
        (r"\boxed{\frac{63}{400}}", r"\frac{63}{400}", 1.0),
        (r"\boxed{\frac{64}{400}}", r"\frac{63}{400}", 0.0),
        (r"\boxed{3}", "6", 0.0),
    ],
)
def test_accuracy(takes_params: bool, completion: str, solution: str, expected: float) -> None:
    assert rewards.accuracy_reward([content(completion)], [solution]) == [expected]


def test_accuracy_of_several_completions(takes_params: bool) -> None:
    completions = [content(r"\boxed{\frac{63}{400}}"), content(r"\boxed{\frac{64}{400}}")]
    assert rewards.accuracy_reward(completions, [r"\frac{63}{400}"] * 2) == [1.0, 0.0]


MULTILINE = (
    "<think>\nI will count each distinct object in the image:\n1. Purple scooter\n2. Red bicycle\n"
    "3. Green motorcycle\n4. Gray sedan\n5. Yellow school bus\n6. Small green double-decker bus\n"
    "7. Small red car\n8. Small purple car\n9. Small gray dirt bike\n\nThere are 9 distinct "
    "objects in total.\n</think>\n<answer>\n9\n</answer>"
)


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>", 1.0),
        (MULTILINE, 1.0),
        ("<think>Only thinking</think>", 0.0),
        ("<answer>Only answer</answer>", 0.0),
        ("No tags at all", 0.0),
        ("<think>Missing closing</think><answer>Missing closing", 0.0),
        ("<think>Wrong order</answer><answer>Wrong order</think>", 0.0),
    ],
)
def test_format(takes_params: bool, completion: str, expected: float) -> None:
    assert rewards.format_reward([content(completion)]) == [expected]


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("Step 1: First step\nStep 2: Second step\nStep 3: Third step", 1.0),
        ("First, we do this.\nSecond, we do that.\nFinally, we conclude.", 1.0),
        ("Step 1: Only step", 1 / 3),
        ("First, we do this.\nFinally, we conclude.", 2 / 3),
        ("Just plain text without any clear steps", 0.0),
    ],
)
def test_reasoning_steps(takes_params: bool, completion: str, expected: float) -> None:
    assert rewards.reasoning_steps_reward([content(completion)]) == [pytest.approx(expected)]


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>", 1.0),
        ("Some reasoning\n</think>\n<answer>\nThe answer\n</answer>", 0.75),
        ("<think>\nSome reasoning\n<answer>\nThe answer\n</answer>", 0.75),
        ("<think>\nSome reasoning\n</think>\nThe answer\n</answer>", 0.75),
        ("<think>\nSome reasoning\n</think>\n<answer>\nThe answer", 0.75),
        ("Some reasoning\nThe answer", 0.0),
    ],
)
def test_tag_count(takes_params: bool, completion: str, expected: float) -> None:
    assert rewards.tag_count_reward([content(completion)]) == [expected]


# ---- len_reward -------------------------------------------------------------------------------

RIGHT, WRONG, GOLD = r"\boxed{\frac{63}{400}}", r"\boxed{\frac{64}{400}}", r"\frac{63}{400}"
PADDING = "  " + "x" * 10


def test_len_reward_of_equal_lengths(takes_params: bool) -> None:
    assert rewards.len_reward([content(RIGHT), content(WRONG)], [GOLD] * 2) == [0.0, 0.0]


def test_len_reward_prefers_the_shorter_correct_answer(takes_params: bool) -> None:
    values = rewards.len_reward([content(RIGHT), content(RIGHT + PADDING)], [GOLD] * 2)
    assert values[0] > values[1]
    assert values[0] == pytest.approx(0.5)


def test_len_reward_of_wrong_answers(takes_params: bool) -> None:
    values = rewards.len_reward([content(WRONG), content(WRONG + PADDING)], [GOLD] * 2)
    assert values[0] <= 0.0 and values[1] <= 0.0
    assert values[0] > values[1]


def test_len_reward_of_mixed_correctness(takes_params: bool) -> None:
    completions = [RIGHT, RIGHT + PADDING, WRONG, WRONG + PADDING]
    values = rewards.len_reward([content(c) for c in completions], [GOLD] * 4)
    assert values[0] > 0.0
    assert values[2] > values[1] >= values[3]
    assert values[2] <= 0.0 and values[3] <= 0.0
    assert values[0] > values[1] and values[2] > values[3]


def test_len_reward_of_an_unparsable_gold_is_none(takes_params: bool) -> None:
    """Deliberate difference: open-r1 counts it as correct (0.5 for the shorter); we cannot know."""
    completions = [content(r"\boxed{answer}"), content(r"\boxed{answer} " + "x" * 10)]
    assert rewards.len_reward(completions, ["unparseable_latex"] * 2) == [None, None]


# ---- cosine -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "length", "expected"),
    [(RIGHT, 20, 0.943), (RIGHT, 80, 0.547), (WRONG, 20, -0.942), (WRONG, 80, -0.547)],
)
def test_cosine_with_open_r1s_test_parameters(
    takes_params: bool, completion: str, length: int, expected: float
) -> None:
    function = rewards.get_cosine_scaled_reward(max_len=100)
    padded = completion + " " * (length - len(completion))  # lengths are characters
    expect_with_params(takes_params, lambda: function([content(padded)], [GOLD]), [expected])


def test_cosine_with_defaults(takes_params: bool) -> None:
    """max_len 1000, the service's own: open-r1's schedule on the length in characters."""
    padded = RIGHT + " " * 28
    value = rewards.get_cosine_scaled_reward()([content(padded)], [GOLD])[0]
    assert value == pytest.approx(0.5 + 0.25 * (1 + math.cos(len(padded) / 1000 * math.pi)))
    wrong = WRONG + " " * 28
    value = rewards.get_cosine_scaled_reward()([content(wrong)], [GOLD])[0]
    assert value == pytest.approx(-0.5 - 0.25 * (1 + math.cos(len(wrong) / 1000 * math.pi)))


# ---- repetition -------------------------------------------------------------------------------


def test_repetition_refuses_a_positive_penalty() -> None:
    with pytest.raises(ValueError):
        rewards.get_repetition_penalty_reward(ngram_size=2, max_penalty=1.0)
    with pytest.raises(ValueError, match=r"max_penalty 1\.5 should not be positive"):
        rewards.get_repetition_penalty_reward(ngram_size=2, max_penalty=1.5)


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("word", 0.0),
        ("two words", 0.0),
        ("three different words", 0.0),
        ("word word word word", -0.5),
        ("one two one two", 0.0),
        ("A B C A B C", -0.25),
        ("A B C A B C E F G A B C A B C", -0.3846),
        ("A B C D E F G H I J K L", 0.0),
        ("", 0.0),
    ],
)
def test_repetition_with_the_service_defaults(
    takes_params: bool, completion: str, expected: float
) -> None:
    function = rewards.get_repetition_penalty_reward(ngram_size=3, max_penalty=-1.0)
    assert function([content(completion)]) == [pytest.approx(expected, abs=1e-4)]


@pytest.mark.parametrize(
    ("ngram_size", "max_penalty", "completions", "expected"),
    [
        (2, -1.0, ["this is a test sentence"], [0.0]),
        (2, -1.0, ["this this this this this"], [-0.75]),
        (2, -1.0, ["this is a this is a test"], [-1 / 3]),
        (3, -0.5, ["this is a test", "test test test test"], [0.0, -0.25]),
        (2, -1.0, [""], [0.0]),
        (3, -2.0, ["this is a this is a test"], [-0.4]),
        (3, -0.5, ["A B C A B"], [0.0]),
        (2, -1.0, ["that that that that that"], [-0.75]),
    ],
)
def test_repetition_with_open_r1s_test_parameters(
    takes_params: bool, ngram_size: int, max_penalty: float, completions: list, expected: list
) -> None:
    function = rewards.get_repetition_penalty_reward(ngram_size, max_penalty)
    expect_with_params(takes_params, lambda: function([content(c) for c in completions]), expected)


def test_repetition_lower_cases(takes_params: bool) -> None:
    function = rewards.get_repetition_penalty_reward(ngram_size=3, max_penalty=-1.0)
    first, second = function([content("This is A Test"), content("this IS a test")])
    assert first == second


def test_repetition_in_chinese_is_a_documented_difference() -> None:
    with pytest.raises(ValueError, match="not implemented by the service"):
        rewards.get_repetition_penalty_reward(ngram_size=2, max_penalty=-1.0, language="zh")


# ---- soft overlong ----------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "expected"), [(50, 0.0), (110, -1.0), (90, -0.5)])
def test_soft_overlong_with_open_r1s_test_limits(
    takes_params: bool, length: int, expected: float
) -> None:
    function = rewards.get_soft_overlong_punishment(max_completion_len=100, soft_punish_cache=20)
    expect_with_params(takes_params, lambda: function(completion_ids=[[1] * length]), [expected])


# ---- code format ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "language", "expected"),
    [
        (
            "<think>\nLet's solve this\nStep 1: First step\n</think>\n<answer>\n```python\n"
            "def hello():\n    print('world')\n```\n</answer>",
            "python",
            1.0,
        ),
        ("```python\ndef hello():\n    print('world')\n```", "python", 0.0),
        ("<think>Some thinking</think><answer>Just plain text</answer>", "python", 0.0),
        (
            "<think>Analysis</think><answer>```javascript\nconsole.log('hello');\n```</answer>",
            "python",
            0.0,
        ),
        ("<think>Analysis</think><answer>```\ndef hello(): pass\n```</answer>", "python", 0.0),
        (
            "<think>\nHere's an example:\n```python\nx = 1\n```\nNow the solution:\n</think>\n"
            "<answer>\n```python\ndef solution():\n    return 42\n```\n</answer>",
            "python",
            1.0,
        ),
        (
            "<think>\nAnalysis\n</think>\n<answer>\n```javascript\nconsole.log('hello');\n```\n"
            "</answer>",
            "javascript",
            1.0,
        ),
        (
            "<think>\nAnalysis\n</think>\n<answer>\n```javascript\nconsole.log('hello');\n```\n"
            "</answer>",
            "python",
            0.0,
        ),
        (
            "<think>\nHere's the analysis\n</think>\n<answer>\n```python\nclass Solution:\n"
            "    def __init__(self):\n        self.value = 42\n        \n"
            "    def get_value(self):\n        return self.value\n```\n</answer>",
            "python",
            1.0,
        ),
    ],
)
def test_code_format(takes_params: bool, completion: str, language: str, expected: float) -> None:
    function = rewards.get_code_format_reward(language=language)
    assert function([content(completion)]) == [expected]


def test_code_format_wants_think_before_answer(takes_params: bool) -> None:
    function = rewards.get_code_format_reward(language="python")
    completion = "<answer>```python\ndef hello(): pass\n```</answer><think>Analysis</think>"
    assert function([content(completion)]) == [0.0]


# ---- open-r1's registry -----------------------------------------------------------------------


def test_get_reward_funcs_names_the_functions_as_open_r1() -> None:
    from types import SimpleNamespace

    names = {
        "accuracy": "accuracy_reward",
        "format": "format_reward",
        "reasoning_steps": "reasoning_steps_reward",
        "cosine": "cosine_scaled_reward",
        "repetition_penalty": "repetition_penalty_reward",
        "length": "len_reward",
        "tag_count": "tag_count_reward",
        "code": "code_reward",
        "code_format": "code_format_reward",
        "binary_code": "binary_code_reward",
        "soft_overlong_punishment": "soft_overlong_punishment_reward",
    }
    functions = rewards.get_reward_funcs(SimpleNamespace(reward_funcs=list(names)))
    assert [f.__name__ for f in functions] == list(names.values())
    # IOI and Codeforces subtask scoring are not in the service: said, not skipped.
    with pytest.raises(ValueError, match="ioi_code"):
        rewards.get_reward_funcs(SimpleNamespace(reward_funcs=["accuracy", "ioi_code"]))


def test_get_reward_funcs_configures_from_the_script_arguments(takes_params: bool) -> None:
    from types import SimpleNamespace

    args = SimpleNamespace(
        reward_funcs=["repetition_penalty", "code"],
        repetition_n_grams=3,
        repetition_max_penalty=-1.0,
        enforce_same_language=True,
    )
    repetition, code = rewards.get_reward_funcs(args)
    assert repetition([content("word word word word")]) == [-0.5]
    mixed = [{"language": "python", "test_cases": []}, {"language": "cpp", "test_cases": []}]
    with pytest.raises(ValueError, match="same language"):
        code([content("x"), content("y")], verification_info=mixed)
