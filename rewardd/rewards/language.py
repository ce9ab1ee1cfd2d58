"""The DeepSeek-R1 language-consistency reward, and the language of a prompt.

How a text becomes language decisions:

1. Code, LaTeX math, URLs and the R1 tags are cut out.
2. The rest is split into words: runs of letters of one script.  A run of Han or kana
   characters counts as one word per character, as Chinese and Japanese put no spaces
   between words.  Single Latin or Greek letters, words touching a digit or a math
   symbol (`2x`, `f(x)`, `a=b`) and bare function names (`sin`, `log`) are formula
   parts and are not counted.
3. Within one sentence, consecutive words of one script form a segment.
4. The candidates are the target language, English and Chinese (the languages that
   reasoning models drift into), and any language that a fast all-language detector
   (lingua, low-accuracy mode) is sure of in a script's whole text, in a long sentence
   or in a long clause, once the accurate detector has confirmed it.  Questions are
   then asked of lingua in high-accuracy mode restricted to the candidates, so they are
   narrow: English or German, not which of 75.
5. A segment whose script only one candidate writes (Russian among en, zh, ru) goes to
   the likeliest candidate as a whole.  In a segment whose script two or more
   candidates write (German and English), each word gets a language, from lingua's
   per-word confidences smoothed by their neighbours (language_words), as models
   switch language mid-sentence.

Cost per process: the fast detector, preloaded, ~90 MB and ~0.5 s (see warm_up); an
accurate model (~20-50 MB) is loaded only for a language that shares its script with
another candidate, once, and shared by every detector.  A 300-word reasoning takes a
few milliseconds.  Measured figures: docs/rewards-language.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TypeVar

from lingua import IsoCode639_1, Language

from rewardd.rewards.blocks import reasoning_text
from rewardd.rewards.language_detectors import broad_detector, restricted_detector
from rewardd.rewards.language_words import word_languages
from rewardd.rewards.types import GradingInput, Score, not_applicable

# Paired spans that are code or formulas rather than prose, cut out in this order.
# An unclosed code fence runs to the end; other unclosed openers are left alone.
_PAIRED_SPANS = (("```", "```"), ("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"))
_BEGIN = re.compile(r"\\begin\{([A-Za-z*]+)\}")
# One-line spans: inline `$...$` may not cross a line, so that a lone currency sign
# does not swallow a paragraph.
_INLINE_NOT_PROSE = re.compile(
    r"`[^`\n]*`|\$[^$\n]+\$|https?://\S+|</?(?:think|answer)>|\\[A-Za-z]+"
)
# A word directly touching one of these (or a digit) is part of a formula.
_FORMULA_NEIGHBOURS = frozenset("=+*/^_<>|\\{}[]%$&~#@")
_SENTENCE_ENDS = frozenset(".!?;:\n。！？；：…।॥؟؛۔")
# Within a sentence, a language switch usually comes at one of these.
_CLAUSE_BREAKS = frozenset(',()"«»“”„‹›—–、،')
_WORD_JOINERS = frozenset("'’-")
# Scripts in which a lone letter is almost always a variable.
_VARIABLE_SCRIPTS = frozenset({"LATIN", "GREEK"})
# Lone letters that are words rather than variables: English "a" and "I", and accented
# letters such as French "à" or Spanish "é" (no one names a variable "à").
_ONE_LETTER_WORDS = frozenset("aAIàÀéÉèÈìÌòÒóÓùÙúÚ")
# Function names written without a backslash, as in "sin x" or "log n".
_MATH_NAMES = frozenset(
    {
        *("sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan"),
        *("sinh", "cosh", "tanh", "log", "ln", "lg", "exp", "lim", "max", "min"),
        *("mod", "gcd", "lcm", "det", "sqrt", "frac"),
    }
)
# Scripts written without spaces, where each character counts as a word.
_CHARACTER_SCRIPTS = frozenset({"HAN", "KANA"})
# Han, kana and Hangul mix within one Japanese or Korean sentence: one segment.
_EAST_ASIAN = frozenset({"HAN", "KANA", "HANGUL"})
_ALWAYS_CANDIDATES = (Language.ENGLISH, Language.CHINESE)
# The scripts that several of lingua's languages share, by the names _script_of gives.
_SHARED_SCRIPTS = {
    "LATIN": frozenset(Language.all_with_latin_script()),
    "CYRILLIC": frozenset(Language.all_with_cyrillic_script()),
    "ARABIC": frozenset(Language.all_with_arabic_script()),
    "DEVANAGARI": frozenset(Language.all_with_devanagari_script()),
}


@dataclass(frozen=True)
class Discovery:
    """When a sentence's language, as the fast detector reads it, becomes a candidate.

    The fast detector reads real 30-letter sentences of French, Russian, Persian, ...
    at a confidence of 0.98-1.0, but English ones sometimes as another language at up
    to ~0.95 (word salad, lists of names).  The accurate detector must then confirm the
    proposal, so a low bar costs memory (the proposal's model is loaded), not accuracy.
    Han, kana and Hangul say far more per character than letters of other scripts.
    """

    min_letters: int
    min_east_asian_characters: int
    min_confidence: float
    # How sure the accurate detector, choosing between the proposal and the base
    # candidates, must be of the proposal; 0: it only has to be the likeliest.
    min_confirmation: float
    # Clauses of at least this many letters are sampled too, to find a language switched
    # in mid-sentence; None: clauses are not sampled.
    min_clause_letters: int | None

    def long_enough(self, segment_text: str, script: str) -> bool:
        needed = self.min_east_asian_characters if script == "EAST_ASIAN" else self.min_letters
        return _letters(segment_text) >= needed


# A clause is tried from 20 letters on ("puis nous vérifions tout"): a foreign clause
# sits between the sentence's own words, so the bar for it cannot be a sentence's.
# A discovered language takes words one by one from the others in its script, so the
# accurate detector must be sure of it: real French or German clauses get 0.95-1.0,
# English that the fast detector calls Latin ("kana and Hangul count as one script
# here") gets 0.71.
FOR_REASONING = Discovery(
    min_letters=30,
    min_east_asian_characters=8,
    min_confidence=0.97,
    min_confirmation=0.9,
    min_clause_letters=20,
)
# A prompt is one short text with no target to lean on: its sentences are tried from
# 10 letters on and at a lower confidence (short German or Spanish prompts get ~0.95).
# Their clauses are too short to be told apart reliably.
FOR_PROMPTS = Discovery(
    min_letters=10,
    min_east_asian_characters=2,
    min_confidence=0.7,
    min_confirmation=0.0,
    min_clause_letters=None,
)
# The fast detector is reliable from ~120 characters on, and costs ~3 µs a character.
_DISCOVERY_SAMPLE_CHARS = 300
_PIECE_SAMPLE_CHARS = 200
_MAX_PIECE_SAMPLES = 16
# Work per item is bounded: the first and last 50k characters of a longer text
# (a 16k-token reasoning is ~60k characters), and the first 500 characters of a
# sentence for the detector, which is sure of a language long before that.
_MAX_CHARS = 100_000
_MAX_DETECTOR_CHARS = 500
# Word-by-word attribution costs ~3 µs a word, and ~12 µs more for each distinct word
# not seen before (and more with more candidates): past this many words of an item,
# sentences are judged as a whole.  A 16k-token reasoning has ~10k words.
_MAX_ATTRIBUTED_WORDS = 12_000


@dataclass(frozen=True)
class Segment:
    """Consecutive words of one script within one sentence."""

    text: str  # what the detector reads: the words, up to _MAX_DETECTOR_CHARS
    script: str
    words: int
    tokens: tuple[str, ...] = ()  # the words themselves
    clause_starts: tuple[int, ...] = (0,)  # where in `tokens` each clause begins

    def clauses(self) -> list[str]:
        """The text of each clause (split at commas, brackets, dashes, quotes)."""
        bounds = [*self.clause_starts, len(self.tokens)]
        return [" ".join(self.tokens[a:b]) for a, b in pairwise(bounds)]


def warm_up() -> None:
    """Load the fast detector (~0.5 s, ~90 MB) before the first item.

    Call it once per worker process, or once in a parent before it forks: the models
    live outside Python's heap, so forked workers share those pages.
    """
    broad_detector()


def language_from_code(code: str) -> Language | None:
    """The lingua Language of an ISO 639-1 code such as "en" or "pt-BR", or None."""
    base = re.split(r"[-_]", code.strip(), maxsplit=1)[0].upper()
    iso = getattr(IsoCode639_1, base, None)
    if not isinstance(iso, IsoCode639_1):
        return None
    try:
        return Language.from_iso_code_639_1(iso)
    except ValueError:
        return None


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


@lru_cache(maxsize=32768)
def _script_of(char: str) -> str | None:
    """The script of a letter ("LATIN", "HAN", ...), "MARK" for a combining mark, else None."""
    category = unicodedata.category(char)
    # Zero-width (non-)joiners sit inside Persian and Indic words, as in "می‌کنیم".
    if category[0] == "M" or char in "\u200c\u200d":
        return "MARK"
    if category[0] != "L":
        return None
    first = unicodedata.name(char, "OTHER").split(" ", 1)[0]
    if first in ("CJK", "IDEOGRAPHIC"):
        return "HAN"
    if first in ("HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"):
        return "KANA"
    if first == "MODIFIER":
        return "MARK"
    return first


def _is_formula_neighbour(char: str) -> bool:
    return char in _FORMULA_NEIGHBOURS or char.isdigit()


def _is_formula_word(word: str, script: str, before: str, after: str) -> bool:
    if script in _EAST_ASIAN:
        return False
    if script in _VARIABLE_SCRIPTS and len(word) == 1 and word not in _ONE_LETTER_WORDS:
        return True
    if _is_formula_neighbour(before) or _is_formula_neighbour(after) or after == "(":
        return True
    return word.lower() in _MATH_NAMES


def _bounded(text: str) -> str:
    """At most _MAX_CHARS of `text`: its beginning and its end when it is longer."""
    if len(text) <= _MAX_CHARS:
        return text
    half = _MAX_CHARS // 2
    return text[:half] + "\n" + text[-half:]


def _prose(text: str) -> str:
    """`text` with code, LaTeX math, URLs and R1 tags replaced by spaces.

    str.find rather than one regular expression, so that thousands of unclosed
    openers (a model stuck repeating "\\[") cost linear time, not quadratic.
    """
    for opener, closer in _PAIRED_SPANS:
        text = _without_spans(text, opener, closer)
    text = _without_environments(text)
    return _INLINE_NOT_PROSE.sub(" ", text)


def _without_spans(text: str, opener: str, closer: str) -> str:
    kept: list[str] = []
    position = 0
    while (start := text.find(opener, position)) != -1:
        end = text.find(closer, start + len(opener))
        if end == -1:
            if opener == "```":
                position = len(text)
            break
        kept.append(text[position:start])
        position = end + len(closer)
    kept.append(text[position:])
    return " ".join(kept)


def _without_environments(text: str) -> str:
    kept: list[str] = []
    position = 0
    unclosed: set[str] = set()
    for match in _BEGIN.finditer(text):
        name = match.group(1)
        if match.start() < position or name in unclosed:
            continue
        end = text.find(f"\\end{{{name}}}", match.end())
        if end == -1:
            unclosed.add(name)  # no closer later on either: don't search again
            continue
        kept.append(text[position : match.start()])
        position = end + len(f"\\end{{{name}}}")
    kept.append(text[position:])
    return " ".join(kept)


def _between_digits(text: str, i: int) -> bool:
    """Whether text[i] sits inside a number, as the point of "549.5" or the colon of "3:4"."""
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def segments(text: str) -> list[Segment]:
    """The prose of `text`, as segments of one script within one sentence."""
    prose = _prose(unicodedata.normalize("NFKC", _bounded(text)))
    found: list[Segment] = []
    parts: list[str] = []
    tokens: list[str] = []
    clause_starts: list[int] = [0]
    words = 0
    segment_script: str | None = None
    previous_script: str | None = None
    clause_broken = False

    def close_segment() -> None:
        nonlocal parts, tokens, clause_starts, words, segment_script, previous_script
        if parts and segment_script is not None:
            joined = "".join(parts)[:_MAX_DETECTOR_CHARS]
            found.append(
                Segment(joined, segment_script, words, tuple(tokens), tuple(clause_starts))
            )
        parts, tokens, clause_starts, words = [], [], [0], 0
        segment_script, previous_script = None, None

    i, n = 0, len(prose)
    while i < n:
        char = prose[i]
        script = _script_of(char)
        if script is None or script == "MARK":
            if char in _SENTENCE_ENDS and not _between_digits(prose, i):
                close_segment()
            elif char in _CLAUSE_BREAKS:
                clause_broken = True
            i += 1
            continue
        start = i
        i += 1
        while i < n:
            next_script = _script_of(prose[i])
            if next_script == script or next_script == "MARK":
                i += 1
            elif (
                prose[i] in _WORD_JOINERS
                and i + 1 < n
                and _script_of(prose[i + 1]) == script
                and script not in _CHARACTER_SCRIPTS
            ):
                i += 2
            else:
                break
        word = prose[start:i]
        before = prose[start - 1] if start > 0 else " "
        after = prose[i] if i < n else " "
        if _is_formula_word(word, script, before, after):
            continue
        group = "EAST_ASIAN" if script in _EAST_ASIAN else script
        if group != segment_script:
            close_segment()
            segment_script = group
        elif clause_broken and tokens:
            clause_starts.append(len(tokens))
        clause_broken = False
        tokens.append(word)
        # Han and kana are written without spaces; everything else gets one between words.
        spaced = previous_script is not None and not (
            script in _CHARACTER_SCRIPTS and previous_script in _CHARACTER_SCRIPTS
        )
        parts.append(" " + word if spaced else word)
        previous_script = script
        words += len(word) if script in _CHARACTER_SCRIPTS else 1
    close_segment()
    return found


@lru_cache(maxsize=8192)
def _fast_guess(text: str) -> tuple[Language, float] | None:
    """The fast detector's likeliest language for `text`, and its confidence."""
    values = broad_detector().compute_language_confidence_values(text)
    return (values[0].language, values[0].value) if values else None


@lru_cache(maxsize=65536)
def _segment_language(text: str, candidates: frozenset[Language]) -> Language | None:
    return restricted_detector(candidates).detect_language_of(text)


@lru_cache(maxsize=8192)
def _confidence(text: str, candidates: frozenset[Language], language: Language) -> float:
    return restricted_detector(candidates).compute_language_confidence(text, language)


_Sample = TypeVar("_Sample")


def _candidates(
    found: list[Segment], target: Language | None, discovery: Discovery
) -> frozenset[Language]:
    """The target, English, Chinese, and the languages the text shows it really uses."""
    base = set(_ALWAYS_CANDIDATES)
    if target is not None:
        base.add(target)
    by_script: dict[str, list[str]] = {}
    for segment in found:
        by_script.setdefault(segment.script, []).append(segment.text)
    samples = [
        (". ".join(texts)[:_DISCOVERY_SAMPLE_CHARS], script) for script, texts in by_script.items()
    ]
    samples = [(text, script) for text, script in samples if discovery.long_enough(text, script)]
    # Pieces of sentences too, to find a second language written in the same script; at
    # most _MAX_PIECE_SAMPLES of them, spread over the text, as each costs ~6 µs a
    # character.
    pieces = [
        (piece[:_PIECE_SAMPLE_CHARS], segment.script)
        for segment in found
        if discovery.long_enough(segment.text, segment.script)
        for piece in _discovery_pieces(segment, discovery)
    ]
    samples += _spread(pieces, _MAX_PIECE_SAMPLES)
    confirmed = set()
    for sample, _ in dict.fromkeys(samples):
        guess = _fast_guess(sample)
        if guess is None or guess[1] < discovery.min_confidence:
            continue
        proposed = guess[0]
        if proposed in base or proposed in confirmed:
            continue
        # The fast detector misreads some English sentences (as Swedish, Tagalog, ...);
        # the accurate one, choosing between the proposal and the base, must agree.
        judges = frozenset(base | {proposed})
        if (
            _segment_language(sample, judges) == proposed
            and _confidence(sample, judges, proposed) >= discovery.min_confirmation
        ):
            confirmed.add(proposed)
    return frozenset(base | confirmed)


def _discovery_pieces(segment: Segment, discovery: Discovery) -> list[str]:
    """What discovery reads of a long sentence: its long clauses, else the sentence.

    Models switch language at clause boundaries ("..., puis nous vérifions le résultat,
    ..." in German reasoning), and a switched clause is diluted in its sentence.
    """
    if discovery.min_clause_letters is None or len(segment.clause_starts) == 1:
        return [segment.text]
    minimum = (
        discovery.min_east_asian_characters
        if segment.script == "EAST_ASIAN"
        else discovery.min_clause_letters
    )
    return [c for c in segment.clauses() if _letters(c) >= minimum] or [segment.text]


def _spread(items: list[_Sample], at_most: int) -> list[_Sample]:
    """At most `at_most` of `items`, evenly spread over them."""
    step = -(-len(items) // at_most) or 1  # ceiling division
    return items[::step]


@lru_cache(maxsize=16384)
def _words_per_language(
    tokens: tuple[str, ...], candidates: tuple[Language, ...]
) -> tuple[tuple[str, int], ...]:
    """How many of `tokens` are in each candidate; cached, as reasoning repeats sentences."""
    counts: dict[str, int] = {}
    for language in word_languages(tokens, candidates):
        counts[_code(language)] = counts.get(_code(language), 0) + 1
    return tuple(counts.items())


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


@lru_cache(maxsize=256)
def _sharing_script(candidates: frozenset[Language], script: str) -> tuple[Language, ...]:
    """The candidates written in `script` when more than one language uses that script."""
    family = _SHARED_SCRIPTS.get(script)
    if family is None:
        return ()
    return tuple(sorted(candidates & family, key=lambda language: language.name))


def words_by_language(
    text: str,
    target: Language | None = None,
    discovery: Discovery = FOR_REASONING,
) -> dict[str, int]:
    """How many words of `text` are in each language (ISO 639-1; "other" = undecided)."""
    found = segments(text)
    if not found:
        return {}
    candidates = _candidates(found, target, discovery)
    counts: dict[str, int] = {}
    attributed = 0
    for segment in found:
        same_script = _sharing_script(candidates, segment.script)
        if len(same_script) > 1 and attributed + segment.words <= _MAX_ATTRIBUTED_WORDS:
            attributed += segment.words
            # Several candidates write this script: the sentence may switch between them.
            for code, words in _words_per_language(segment.tokens, same_script):
                counts[code] = counts.get(code, 0) + words
            continue
        language = _segment_language(segment.text, candidates)
        key = _code(language) if language is not None else "other"
        counts[key] = counts.get(key, 0) + segment.words
    return counts


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language most words of `text` are in, or None."""
    counts = words_by_language(text, discovery=FOR_PROMPTS)
    counts.pop("other", None)
    if not counts:
        return None
    return max(counts, key=lambda code: counts[code])


def language_consistency(item: GradingInput) -> Score:
    """The share of the reasoning's words that are in `item.lang` (DeepSeek-R1)."""
    target = language_from_code(item.lang)
    if target is None:
        return not_applicable(f"Not applicable: '{item.lang}' is not a language we can detect.")
    counts = words_by_language(reasoning_text(item.completion), target)
    total = sum(counts.values())
    if total == 0:
        return not_applicable(
            "Not applicable: the reasoning has no words in any language, only numbers, "
            "formulas or code."
        )
    code = _code(target)
    in_target = counts.get(code, 0)
    value = in_target / total
    others = sorted(((n, lang) for lang, n in counts.items() if lang != code), reverse=True)
    rest = "; the rest: " + ", ".join(f"{lang} {n}" for n, lang in others) if others else ""
    reason = f"{in_target} of {total} words of the reasoning are in '{code}' ({value:.0%}){rest}."
    return Score(value, reason, {"target": code, "words": total, "languages": counts})
