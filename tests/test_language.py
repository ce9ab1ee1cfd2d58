"""The language-consistency reward and prompt-language detection, on a real detector.

Expected shares are counted by hand with the rules of docs/rewards-text.md: a Han or
kana character is one word, numbers, formulas, code and single Latin letters other
than "a"/"I" are not words.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rewardd.rewards import language as language_module
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


# Code-switching inside a sentence (issue 14).  Sets of hand-written reasoning in
# tests/data/language/: each row is labelled part by part and its words hand-counted.
# code_switching.json was used to choose language_words.SWITCH_COST;
# code_switching_holdout.json was written afterwards and never used to tune anything.
DATA = Path(__file__).parent / "data" / "language"
SWITCH_SETS = ("code_switching.json", "code_switching_holdout.json")
# The issue's acceptance bar: each mixed row within ±0.15 of its hand-counted share,
# each pure row at 0.9 or more.
ROW_TOLERANCE = 0.15


def _switch_rows() -> list[dict]:
    rows = []
    for name in SWITCH_SETS:
        rows += json.loads((DATA / name).read_text(encoding="utf-8"))["rows"]
    return rows


SWITCH_ROWS = _switch_rows()


def _row_text(row: dict) -> str:
    return "".join(text for _, text in row["parts"])


def _expected_range(row: dict) -> tuple[float, float]:
    """The hand-counted share of the target; "any" words (terms) may count either way."""
    words = row["words"]
    total = sum(words.values())
    low = words.get(row["target"], 0) / total
    return low, low + words.get("any", 0) / total


def _distance(value: float, expected: tuple[float, float]) -> float:
    low, high = expected
    return max(low - value, value - high, 0.0)


@pytest.mark.parametrize("row", SWITCH_ROWS, ids=[row["id"] for row in SWITCH_ROWS])
def test_hand_counts_follow_the_word_rules(row: dict) -> None:
    # A check on the data: each part holds the words its label claims, by the rules of
    # docs/rewards-language.md, so the expected shares below are what the rows say.
    counted: dict[str, int] = {}
    for label, text in row["parts"]:
        counted[label] = counted.get(label, 0) + sum(s.words for s in segments(text))
    assert counted == row["words"]


@pytest.mark.parametrize("row", SWITCH_ROWS, ids=[row["id"] for row in SWITCH_ROWS])
def test_share_of_hand_counted_code_switching(row: dict) -> None:
    value = share(_row_text(row), row["target"])
    assert value is not None
    expected = _expected_range(row)
    assert _distance(value, expected) <= ROW_TOLERANCE, (value, expected)
    if set(row["words"]) <= {row["target"], "any"}:
        assert value >= 0.9


@pytest.mark.parametrize("set_name", SWITCH_SETS)
def test_code_switching_sets_are_close_on_average(set_name: str) -> None:
    rows = json.loads((DATA / set_name).read_text(encoding="utf-8"))["rows"]
    distances = [
        _distance(share(_row_text(row), row["target"]) or 0.0, _expected_range(row)) for row in rows
    ]
    # Measured: 0.008 and 0.015 (docs/rewards-language.md); all-or-nothing sentences
    # were 0.22 and 0.29.
    assert sum(distances) / len(distances) <= 0.05


def test_code_switching_sets_cover_languages_and_scripts() -> None:
    targets = {row["target"] for row in SWITCH_ROWS}
    scripts = {s.script for row in SWITCH_ROWS for s in segments(_row_text(row))}
    assert len(targets) >= 8
    assert {"LATIN", "CYRILLIC", "EAST_ASIAN", "GREEK", "ARABIC", "DEVANAGARI"} <= scripts


ISSUE_EXAMPLE = (
    "Zuerst berechnen wir die Summe der beiden Zahlen, then we divide the result by the "
    "number of terms, und am Ende prüfen wir das Ergebnis noch einmal."
)
# German 8 + 9 = 17, English 10.


def test_an_english_clause_inside_a_german_sentence_counts_as_english() -> None:
    score = language_consistency(
        GradingInput(completion=f"<think>{ISSUE_EXAMPLE}</think>", lang="de")
    )
    assert score.value == pytest.approx(17 / 27, abs=ROW_TOLERANCE)
    # "divide the result by the number of terms" at least: lingua reads "then" and
    # "we" alone as slightly German, so they may go either way.
    assert score.details["languages"]["en"] >= 8
    assert share(ISSUE_EXAMPLE, "en") == pytest.approx(10 / 27, abs=ROW_TOLERANCE)


def test_a_single_english_term_does_not_split_a_german_sentence() -> None:
    sentence = "Danach berechnen wir den Loss für jede Klasse und mitteln ihn über alle Beispiele."
    assert share(sentence, "de") >= 14 / 15


def test_english_salted_with_german_fillers_is_not_german() -> None:
    # The attack: English reasoning with a German word between every two English words,
    # hoping that context smoothing lends the English words to German.
    salted = (
        "Let die me der think das about und the problem auch again. "
        "So die we der need das to und find auch the number der of die divisors."
    )
    # German: die der das und auch (5) + die der das und auch der die (7) = 12 of 28
    # (0.43).  Measured 0.57: context lends German a few weak English words, not most.
    value = share(salted, "de")
    assert value is not None
    assert 0.2 < value < 0.7


def test_english_that_the_fast_detector_calls_latin_stays_english() -> None:
    # lingua's fast detector reads this clause as Latin at 0.996, and the accurate one
    # prefers Latin at 0.71; admitted as a candidate, Latin took "of", "one", "and" ...
    # word by word.  A discovered language must be confirmed at 0.9.
    reasoning = (
        "Within a sentence, consecutive words of one script form a segment. "
        "Han, kana and Hangul count as one script here."
    )
    assert share(reasoning, "en") == 1.0


def test_a_decimal_point_does_not_end_a_sentence() -> None:
    found = segments("so we get 128 times 549.5, which is 70336.")
    assert [s.tokens for s in found] == [("so", "we", "get", "times", "which", "is")]
    assert found[0].clauses() == ["so we get times", "which is"]


def test_clauses_split_at_commas_dashes_and_brackets() -> None:
    found = segments("Wir rechnen, then we check (carefully) — und fertig.")
    assert found[0].clauses() == ["Wir rechnen", "then we check", "carefully", "und fertig"]


def test_a_sentence_only_one_candidate_writes_is_judged_whole() -> None:
    # Cyrillic among ru, en, zh: no word-by-word attribution, so one sentence, one language.
    score = language_consistency(
        GradingInput(completion="<think>Сначала найдём производную функции.</think>", lang="ru")
    )
    assert score.details["languages"] == {"ru": 4}


def _letters_word(index: int) -> str:
    letters = "bcdfghjklmnpqrstvwxz"
    word = ""
    while True:
        index, digit = divmod(index, len(letters))
        word += letters[digit]
        if index == 0:
            return "qu" + word


def test_word_by_word_attribution_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # 140k characters of distinct nonsense words in a script two candidates share: the
    # words attributed one by one stop at the budget, and the rest is judged by sentence.
    attributed: list[int] = []
    real_word_languages = language_module.word_languages

    def counting(words, candidates):
        attributed.append(len(words))
        return real_word_languages(words, candidates)

    monkeypatch.setattr(language_module, "word_languages", counting)
    language_module._words_per_language.cache_clear()
    sentences = [
        " ".join(_letters_word(i) for i in range(start, start + 40)) + "."
        for start in range(0, 20_000, 40)
    ]
    score = language_consistency(
        GradingInput(completion="<think>" + " ".join(sentences) + "</think>", lang="de")
    )
    assert score.value is not None
    assert score.details["words"] > 12_000
    assert 0 < sum(attributed) <= language_module._MAX_ATTRIBUTED_WORDS
