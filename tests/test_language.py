"""The language-consistency reward and prompt-language detection, on a real detector.

Expected shares are counted by hand with the rules of docs/rewards-text.md: a Han or
kana character is one word, numbers, formulas, code and single Latin letters other
than "a"/"I" are not words.
"""

from __future__ import annotations

import pytest

from rewardd.rewards.language import (
    detect_language,
    language_consistency,
    language_from_code,
    segments,
)
from rewardd.rewards.types import GradingInput

TOLERANCE = 0.1


def share(reasoning: str, lang: str) -> float | None:
    completion = f"<think>{reasoning}</think><answer>42</answer>"
    return language_consistency(GradingInput(completion=completion, lang=lang)).value


ENGLISH = """Okay, so I need to find how many positive integers n less than 100 make
n^2 + 3n + 2 divisible by 6. Let me think about this step by step.

First, n^2 + 3n + 2 factors as (n+1)(n+2), a product of two consecutive integers, so
it is always even. Next, I need divisibility by 3. Among n, n+1 and n+2 exactly one is
a multiple of 3, so the product fails only when n itself is a multiple of 3.

Wait, let me check with a small example. If n = 1, then (2)(3) = 6, which works. If
n = 3, then (4)(5) = 20, which is not divisible by 3. That matches the rule.

There are 99 candidates and 33 multiples of 3 among them, so the answer is 99 - 33 = 66.
Hmm, the problem says "less than 100", so 100 is excluded. I am confident it is 66."""


def test_pure_english_reasoning_is_all_english() -> None:
    assert share(ENGLISH, "en") == pytest.approx(1.0, abs=0.02)
    assert share(ENGLISH, "zh") == pytest.approx(0.0, abs=0.02)


CHINESE_ENGLISH = """好的，我们来解这个方程 $x^2 - 5x + 6 = 0$。
首先，因式分解得到 $(x-2)(x-3)=0$。
Wait, let me double check the factorization.
所以 x=2 或 x=3。
The answer is 2 and 3."""
# Chinese: 好的 + 我们来解这个方程 = 10, 首先 + 因式分解得到 = 8, 所以 + 或 = 3: 21.
# English: "Wait let me double check the factorization" 7, "The answer is and" 4: 11.


def test_chinese_with_english_sentences() -> None:
    assert share(CHINESE_ENGLISH, "zh") == pytest.approx(21 / 32, abs=TOLERANCE)
    assert share(CHINESE_ENGLISH, "en") == pytest.approx(11 / 32, abs=TOLERANCE)


CHINESE_WITH_ENGLISH_TERMS = (
    "首先计算导数。Let me compute the derivative of f carefully. "
    "然后令导数等于零。So we get two critical points."
)
# Chinese 6 + 8 = 14; English 7 ("f" is a variable) + 6 = 13.


def test_chinese_and_english_in_equal_measure() -> None:
    assert share(CHINESE_WITH_ENGLISH_TERMS, "zh") == pytest.approx(14 / 27, abs=TOLERANCE)


RUSSIAN_ENGLISH = """Сначала найдём производную функции $f(x) = x^3 - 3x$.
Then we set it equal to zero.
Получаем два корня: $x=1$ и $x=-1$.
Let me check both values."""
# Russian: 4 + 3 + "и" = 8; English: 7 + 5 = 12.


def test_russian_with_english_sentences() -> None:
    assert share(RUSSIAN_ENGLISH, "ru") == pytest.approx(8 / 20, abs=TOLERANCE)
    assert share(RUSSIAN_ENGLISH, "en") == pytest.approx(12 / 20, abs=TOLERANCE)


PERSIAN_ENGLISH = """ابتدا مشتق تابع را حساب می‌کنیم.
Then we set the derivative equal to zero.
پس دو ریشه داریم: $x = 2$ و $x = 3$.
Let me double check."""
# Persian: 6 (می‌کنیم is one word, joined by a zero-width non-joiner) + 4 + "و" = 11;
# English: 8 + 4 = 12.


def test_persian_with_english_sentences() -> None:
    assert share(PERSIAN_ENGLISH, "fa") == pytest.approx(11 / 23, abs=TOLERANCE)
    assert share(PERSIAN_ENGLISH, "en") == pytest.approx(12 / 23, abs=TOLERANCE)


def test_persian_is_not_taken_for_arabic() -> None:
    assert share(PERSIAN_ENGLISH, "ar") == pytest.approx(0.0, abs=TOLERANCE)


GERMAN_ENGLISH = (
    "Zuerst berechnen wir die Ableitung der Funktion. Then we set it equal to zero and "
    "solve. Danach prüfen wir beide Lösungen sorgfältig."
)
# German 7 + 6 = 13; English 9.


def test_two_languages_in_one_script_are_told_apart() -> None:
    assert share(GERMAN_ENGLISH, "de") == pytest.approx(13 / 22, abs=TOLERANCE)
    assert share(GERMAN_ENGLISH, "en") == pytest.approx(9 / 22, abs=TOLERANCE)


ENGLISH_WITH_FRENCH = (
    "Let me compute the derivative of this function carefully. "
    "Maintenant, calculons la dérivée de cette fonction. "
    "So the derivative is positive everywhere."
)
# English 9 + 6 = 15; French 7.


def test_a_french_sentence_in_english_reasoning_is_found() -> None:
    assert share(ENGLISH_WITH_FRENCH, "en") == pytest.approx(15 / 22, abs=TOLERANCE)


JAPANESE = (
    "まず、関数の導関数を計算します。次に、それをゼロに等しくします。Let me check this again."
)
# Japanese: 2 + 12 + 2 + 12 = 28 characters; English 5.


def test_japanese_counts_kana_and_kanji_per_character() -> None:
    assert share(JAPANESE, "ja") == pytest.approx(28 / 33, abs=TOLERANCE)
    assert share(JAPANESE, "zh") == pytest.approx(0.0, abs=TOLERANCE)


def test_formulas_variables_and_numbers_are_not_english_words() -> None:
    reasoning = r"所以 $x=2$，代入 f(x)=x^2+1 得到 5。再看 \frac{a}{b} 和 sin x 与 2x+3y=7。"
    # Only Han characters are words here: 所以 代入 得到 再看 和 与 = 10.
    assert share(reasoning, "zh") == 1.0


def test_code_is_not_counted() -> None:
    reasoning = (
        "我们写代码：\n```python\ndef solve(values):\n    return sorted(values)\n```\n结果正确。"
    )
    assert share(reasoning, "zh") == 1.0
    # Without the fence, "def", "values", "return" and "values" would count as English.
    unfenced = reasoning.replace("```python", "").replace("```", "")
    assert share(unfenced, "zh") == pytest.approx(9 / 13, abs=TOLERANCE)


def test_only_formulas_is_not_applicable() -> None:
    score = language_consistency(
        GradingInput(completion=r"<think>$$\int_0^1 x^2 dx = 1/3$$ 12345 = 3*4115</think>")
    )
    assert score.value is None
    assert "no words" in score.reason


def test_reads_the_think_block_only() -> None:
    completion = "<think>Let me think about it carefully.</think><answer>答案是五</answer>"
    score = language_consistency(GradingInput(completion=completion, lang="en"))
    assert score.value == 1.0


def test_reads_the_whole_completion_without_a_think_block() -> None:
    completion = "我们先算一下。Then the answer is five."
    score = language_consistency(GradingInput(completion=completion, lang="zh"))
    # Chinese 6 characters; English "Then the answer is five" 5 words.
    assert score.value == pytest.approx(6 / 11, abs=TOLERANCE)


def test_details_say_how_many_words_of_each_language() -> None:
    score = language_consistency(GradingInput(completion=CHINESE_WITH_ENGLISH_TERMS, lang="zh"))
    assert score.details == {"target": "zh", "words": 27, "languages": {"zh": 14, "en": 13}}
    assert "14 of 27" in score.reason


def test_regional_codes_use_their_language() -> None:
    assert share(CHINESE_WITH_ENGLISH_TERMS, "zh-CN") == share(CHINESE_WITH_ENGLISH_TERMS, "zh")
    assert language_from_code("pt_BR") is not None


@pytest.mark.parametrize("lang", ["xx", "", "klingon"])
def test_unknown_target_language_is_not_applicable(lang: str) -> None:
    score = language_consistency(GradingInput(completion="<think>Hello there.</think>", lang=lang))
    assert score.value is None
    assert "not a language" in score.reason


def test_word_rules() -> None:
    found = segments("I don't see a 2x or an x-axis; 好的 f(x) sin y می‌کنیم")
    assert [(s.text, s.words) for s in found] == [
        ("I don't see a or an x-axis", 7),
        ("好的", 2),
        ("می‌کنیم", 1),
    ]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("How many positive integers less than 100 are divisible by 3 or 5?", "en"),
        ("What is 2+2?", "en"),
        ("Simplify the expression.", "en"),
        ("Let $f(x) = x^2$. Find $f(3)$.", "en"),
        ("已知函数 $f(x)=x^2$，求 f(3) 的值。", "zh"),
        ("Найдите значение выражения.", "ru"),
        ("معادله را حل کنید", "fa"),
        ("Berechnen Sie die Summe.", "de"),
        ("Calcule la somme des entiers.", "fr"),
        ("Calcula la suma de los números.", "es"),
        ("素数はいくつありますか", "ja"),
        ("소수는 몇 개입니까?", "ko"),
        ("$1+1$", None),
        ("", None),
    ],
)
def test_detect_language_of_prompts(prompt: str, expected: str | None) -> None:
    assert detect_language(prompt) == expected
