"""The math `accuracy` reward: is the completion's final answer the gold answer?

Reading (`math_reading`): the final answer per contract v2, the gold as one or more parts.

Comparing:
    math-verify (sympy underneath), gold first.  Both sides are parsed as one whole LaTeX
    expression when they look like bare math, because math-verify's free-text extraction
    reads `1/2^{99}` as 1 and `x+y=5` as 5.  Around math-verify sit a few explicit rules
    that close known false positives: hedged answers, equations offered for values, and
    near-equal tiny numbers; and one that compares multi-part answers as structures.
    docs/rewards-math.md gives every choice and its reason.

Cost:
    the parsed gold and each (gold, final answer) verdict are cached per process, so the 16
    samples of one prompt that share a final answer are compared once.  Budgets are CPU time
    (`math_budget`); a spent budget is an explicit `timeout` error, never a 0, never cached.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any, Literal

import sympy
from latex2sympy2_extended import NormalizationConfig
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

from rewardd.rewards.math_budget import OutOfCpuTime, cpu_budget
from rewardd.rewards.math_reading import (
    NO_ANSWER,
    FinalAnswer,
    answer_choice,
    as_bare_math,
    clean_math,
    extract_final_answer,
    gold_choice,
    gold_parts,
    is_unevaluated_arithmetic,
    math_spans,
    number_bases,
    read_final_answer,
    repeats_the_question,
)
from rewardd.rewards.types import GradingInput, ItemError, Score

__all__ = ["extract_final_answer", "math_accuracy", "verdict_key"]

Verdict = Literal[
    "equivalent",
    "different",
    "hedged",
    "no_answer",
    "unparsable_answer",
    "bad_reference",
    "timeout",
]

# -- configuration (docs/rewards-math.md explains each value) --------------------------------

_NORMALIZATION = NormalizationConfig(
    basic_latex=True,
    units=True,  # `10\text{ cm}` is 10
    malformed_operators=True,  # `\sqrt3`, `\frac12` are what people mean
    nits=False,  # its only effects (`0.5` -> 1/2, `.5` -> 0.5) change nothing in verify
    boxed="all",
    equations=False,  # deprecated in latex2sympy2; equations are handled below, explicitly
)
# One whole expression: we wrap the text in \boxed{} ourselves, so boxes come first.
_WHOLE_LATEX = (LatexExtractionConfig(boxed_match_priority=0, normalization_config=_NORMALIZATION),)
# Free text ("so the answer is $5$."): math-verify's anchors, LaTeX before plain numbers.
_FREE_TEXT = (
    LatexExtractionConfig(boxed_match_priority=0, normalization_config=_NORMALIZATION),
    ExprExtractionConfig(),
)
_FLOAT_ROUNDING = 6  # math-verify's default: 0.333333 is 1/3, 0.33 is not
_NUMERIC_PRECISION = 15
# A float answer may differ from an exact gold by this share of the gold's size.  Rounding
# to 6 places already decides for |gold| >= 1e-3; this only stops 0.0 "equalling" 2^-99.
_FLOAT_RELATIVE_TOLERANCE = 1e-3
_EXACT_RELATIVE_TOLERANCE = 1e-20  # exact vs exact at 50 digits: equal means equal

# CPU seconds, not wall-clock: the same input gets the same verdict on a loaded machine.
# The pool's hard kill (REWARDD_MATH_ITEM_TIMEOUT_S, wall-clock) stands behind both.
GOLD_CPU_BUDGET_S = 4.0
ANSWER_CPU_BUDGET_S = 4.0
# math-verify's own signal.alarm timeouts are off: they count wall-clock time.
_NO_WALL_CLOCK_TIMEOUT = None


def _not_the_timeout_reminder(record: logging.LogRecord) -> bool:
    # math-verify warns once per process that its timeouts are off; they are, on purpose.
    return not record.getMessage().startswith("Timeout is disabled")


for _name in ("math_verify.parser", "math_verify.grader"):
    logging.getLogger(_name).addFilter(_not_the_timeout_reminder)

_MAX_OTHER_BOXES = 4  # more distinct boxed values than this is hedging without asking sympy
_CACHEABLE_CHARS = 4096  # longer answers are graded uncached, so the cache stays small
_SHOWN_CHARS = 500  # how much of a long answer goes into details and reasons
_PROSE_FALLBACK_WORDS = 3  # a text answer ("Evelyn", "no solution") may still be parsed whole


# -- parsing one answer -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    """One answer read as math: `expr` is None when `problem` says why not."""

    expr: Any
    shown: str
    problem: Literal["nothing_found", "unparsable"] | None = None


def _parse_whole(latex: str) -> Any:
    """The text read as one LaTeX expression, or None."""
    found = parse(
        f"\\boxed{{{clean_math(latex)}}}",
        extraction_config=_WHOLE_LATEX,
        fallback_mode="no_fallback",
        extraction_mode="first_match",
        parsing_timeout=_NO_WALL_CLOCK_TIMEOUT,
        raise_on_error=True,
    )
    return found[0] if found else None


_VALUE = r"(-?\d+(?:\.\d+)?(?:/\d+)?(?:\s*\\?%)?|\$[^$]{1,60}\$)"
_ALTERNATIVES = re.compile(
    _VALUE + r"\s*,?\s*(?:\bor\b|\\text\s*\{\s*or\s*\}|\\lor)\s*(?:\beven\b\s*)?" + _VALUE
)
_PLUS_MINUS_BEFORE = re.compile(r"(?:\\pm|±|\\mp|∓)\s*\$?\s*$")
_UNICODE_PLUS_MINUS = re.compile(r"([±∓])(?=\S)")
_HEDGE_SCAN_CHARS = 300  # "2 or 3" is looked for in short answers only, not in reasoning


def _parse_free_text(text: str) -> _Parsed:
    """math-verify's extraction from prose: only its first (best-ranked, rightmost) match counts,
    so an unreadable final answer is not replaced by an earlier number."""
    # math-verify's plain numbers need a space before them; "±2021" would read as nothing.
    text = _UNICODE_PLUS_MINUS.sub(r"\1 ", clean_math(text))
    found = parse(
        text,
        extraction_config=_FREE_TEXT,
        fallback_mode="first_match",
        extraction_mode="first_match",
        parsing_timeout=_NO_WALL_CLOCK_TIMEOUT,
        raise_on_error=True,
    )
    if not found:
        return _Parsed(None, "", "nothing_found")
    if isinstance(found[0], str):
        return _Parsed(None, found[0], "unparsable")
    expr, shown = found[0], found[1] if len(found) > 1 else str(found[0])
    return _with_offered_alternatives(text, _Parsed(expr, shown))


def _with_offered_alternatives(text: str, found: _Parsed) -> _Parsed:
    """Free extraction keeps one number of "2 or 3" and drops the sign of "±2021".  Put the
    other candidates back, as a set, so that hedging is seen and a set gold still matches."""
    at = text.rfind(found.shown)
    if at > 0 and _PLUS_MINUS_BEFORE.search(text[:at]):
        both = _parse_whole(f"\\pm {found.shown}")
        if both is not None:
            return _Parsed(both, f"\\pm {found.shown}")
    if len(text) > _HEDGE_SCAN_CHARS:
        return found
    offered, phrases = [found.expr], []
    for match in _ALTERNATIVES.finditer(text):
        phrases.append(match.group(0))
        for value in match.groups():
            parsed = _parse_whole(value)
            if parsed is not None:
                offered.append(parsed)
    if len(offered) == 1:
        return found
    return _Parsed(sympy.FiniteSet(*offered), "; ".join(phrases))


def _parse_answer(text: str) -> _Parsed:
    """One answer text (a box's content, an answer block, a marked statement, a gold) as math."""
    spans = math_spans(text)
    if spans is not None:
        # `$21,16$ or $11$`: each span is a part of one answer.
        parts = [_parse_answer(span) for span in spans]
        if all(part.expr is not None for part in parts):
            return _Parsed(_combine([part.expr for part in parts]), text.strip())
    bare = as_bare_math(text)
    if bare is not None:
        # One expression, read whole or not at all: math-verify's free extraction would
        # fall back to its last number (`5 \\vee 6` would read as 6).
        expr = _parse_whole(bare)
        if expr is None:
            expr = _parse_plus_minus(bare)
        if expr is None:
            return _Parsed(None, bare, "unparsable")
        if _is_undefined_number(expr) and _CLOCK_TIME.fullmatch(bare):
            # `12:00` is a time of day, not 12/0: compared as written.
            expr = sympy.Symbol(bare.replace(" ", ""))
        return _Parsed(expr, bare)
    parsed = _parse_free_text(text)
    short = text.strip()
    if parsed.expr is None and len(short.split()) <= _PROSE_FALLBACK_WORDS:
        # A short text answer such as "Evelyn" or "no solution": math-verify compares these
        # as symbols, so read it whole rather than give up.
        expr = _parse_whole(short)
        if expr is not None:
            return _Parsed(expr, short)
    return parsed


_PLUS_MINUS = re.compile(r"\\pm(?![A-Za-z])|±")
_CLOCK_TIME = re.compile(r"\d{1,2}\s*:\s*\d{2}")


def _parse_plus_minus(latex: str) -> Any:
    """`\\frac{-1 \\pm \\sqrt{13}}{4}`, which latex2sympy cannot read, as its two values."""
    if len(_PLUS_MINUS.findall(latex)) != 1:
        return None
    values = [_parse_whole(_PLUS_MINUS.sub(sign, latex)) for sign in ("+", "-")]
    if any(value is None for value in values):
        return None
    return _combine(values)


def _is_ordered_pair_like(value: Any) -> bool:
    """`(2, 3)` reads as an open interval, and math-verify counts it equal to the pair
    (2, 3): against it, the boxes `x = 2`, `y = 3` are that pair, in written order."""
    return (
        isinstance(value, sympy.Interval)
        and bool(value.left_open and value.right_open)
        and bool(value.start.is_finite and value.end.is_finite)
    )


def _combine(parts: list[Any], like: Any = None) -> Any:
    """Several parts as one answer: a tuple when `like` is a tuple of as many parts (the
    boxes of `(x, y)` in order), else a set, with the members of set-valued parts merged."""
    values = [_value_or_self(part) for part in parts]
    if _is_ordered_pair_like(like) and len(values) == 2:
        return sympy.Tuple(*values)
    if isinstance(like, sympy.Tuple) and len(like) == len(values):
        return sympy.Tuple(*values)
    members: list[Any] = []
    for value in values:
        members.extend(value.args if isinstance(value, sympy.FiniteSet) else [value])
    return sympy.FiniteSet(*members)


# -- comparing --------------------------------------------------------------------------------


def _is_relation(expr: Any) -> bool:
    return isinstance(expr, sympy.core.relational.Relational) or (
        isinstance(expr, sympy.And) and all(isinstance(a, sympy.Eq) for a in expr.args)
    )


def _equations_in_order(expr: Any) -> list[sympy.Eq]:
    # latex2sympy2's And keeps its written order in _unsorted_args; sympy's And sorts args.
    return list(getattr(expr, "_unsorted_args", expr.args))


def _is_name(expr: Any) -> bool:
    if isinstance(expr, (sympy.Symbol, sympy.core.function.AppliedUndef)):
        return True
    return isinstance(expr, sympy.Tuple) and len(expr) > 0 and all(map(_is_name, expr.args))


def _assigned_value(expr: Any) -> Any:
    """`x = 3` -> 3, `x = 1+2 = 3` -> 3, `f(x) = 2x` -> 2x, `(x, y) = (3, 2)` -> (3, 2);
    None when `expr` is not an assignment to a bare name (`x+y = 5` and `3 = 5` are
    equations, not values)."""
    if isinstance(expr, sympy.FiniteSet) and len(expr) > 0:
        # `x = 1 \text{ or } x = 2`, `x = 1, x = 2`: the values of one name.
        values = [_assigned_value(member) for member in expr.args]
        names = {member.lhs for member in expr.args if isinstance(member, sympy.Eq)}
        if len(names) == 1 and all(value is not None for value in values):
            return sympy.FiniteSet(*values)
        return None
    if isinstance(expr, sympy.Eq):
        chain = [expr]
    elif isinstance(expr, sympy.And) and all(isinstance(a, sympy.Eq) for a in expr.args):
        chain = _equations_in_order(expr)
    else:
        return None
    return chain[-1].rhs if _is_name(chain[0].lhs) else None


def _worked_value(expr: Any) -> Any:
    """`3 \\cdot 4 = 12` -> 12: a true chain of equalities between numbers that starts with
    a computation is a worked value, its last side the answer; None for a false one
    (`5 - 2 = 4`), one with unknowns (`x + y = 5` is an equation, not a value), or one that
    computes nothing (`3 = 3`)."""
    if isinstance(expr, sympy.Eq):
        chain = [expr]
    elif isinstance(expr, sympy.And) and all(isinstance(a, sympy.Eq) for a in expr.args):
        chain = _equations_in_order(expr)
    else:
        return None
    if chain[0].lhs.is_Atom:
        return None
    for equation in chain:
        sides = (equation.lhs, equation.rhs)
        if not all(isinstance(side, sympy.Expr) and side.is_number for side in sides):
            return None
        if not _equivalent(*sides):
            return None
    return chain[-1].rhs


def _value_or_self(expr: Any) -> Any:
    value = _assigned_value(expr)
    return expr if value is None else value


_SET_LIKE = (sympy.Set, sympy.Tuple, sympy.MatrixBase)
_MAX_OFFERED_VALUES = 6  # more values than this against a one-value gold is hedging outright


def _distinct_values(offered: sympy.FiniteSet) -> list[Any]:
    """The values of a set that are not equivalent to one another (`1/2 or 50%` is one)."""
    distinct: list[Any] = []
    for value in offered.args:
        if len(distinct) > _MAX_OFFERED_VALUES:
            break
        if not any(_equivalent(kept, value) for kept in distinct):
            distinct.append(value)
    return distinct


def _is_undefined_number(expr: Any) -> bool:
    return isinstance(expr, sympy.Basic) and expr.has(sympy.zoo, sympy.nan)


def _numerically_far(gold: Any, pred: Any) -> bool:
    """True when two numbers math-verify called equal differ at 50 digits.

    math-verify compares floats after rounding to 6 places and exact numbers with
    `evalf(chop=True)`: both make 0.0 equal 2^-99 and 2^-99 equal 2^-98 (issue #14).
    Percentages are left to math-verify: it means 50% and 50 to be one answer.
    """
    if not (isinstance(gold, sympy.Expr) and isinstance(pred, sympy.Expr)):
        return False
    if not (gold.is_number and pred.is_number):
        return False
    if gold.atoms(sympy.UnevaluatedExpr) or pred.atoms(sympy.UnevaluatedExpr):
        return False
    gold_value, pred_value = sympy.N(gold, 50), sympy.N(pred, 50)
    scale = max(abs(gold_value), abs(pred_value))
    if not scale.is_finite or scale == 0:
        return False
    has_float = gold.has(sympy.Float) or pred.has(sympy.Float)
    tolerance = _FLOAT_RELATIVE_TOLERANCE if has_float else _EXACT_RELATIVE_TOLERANCE
    return bool(abs(gold_value - pred_value) > tolerance * scale)


def _equivalent(gold: Any, pred: Any) -> bool:
    """math-verify's verdict, gold first, then the tiny-number guard."""
    same = verify(
        gold,
        pred,
        float_rounding=_FLOAT_ROUNDING,
        numeric_precision=_NUMERIC_PRECISION,
        strict=True,  # x = 1 is not y = 1
        allow_set_relation_comp=False,  # restating x^2-3x+2=0 must not "equal" {1, 2}
        timeout_seconds=_NO_WALL_CLOCK_TIMEOUT,
        raise_on_error=True,
    )
    return bool(same) and not _numerically_far(gold, pred)


# -- the gold ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Gold:
    """The gold as math.  `value` is what a plain answer is compared with (the right-hand
    side of `x = 1, 2`); `parts` > 1 when the gold is a multi-part answer."""

    expr: Any
    value: Any
    parts: int

    @property
    def structured(self) -> bool:
        return isinstance(self.value, _SET_LIKE)


def _parts_of(value: Any) -> int:
    if isinstance(value, (sympy.FiniteSet, sympy.Tuple)):
        return len(value)
    if _is_ordered_pair_like(value):
        return 2
    return 1


@functools.lru_cache(maxsize=4096)
def _parse_gold(gold_text: str) -> _Gold | None:
    """The gold as math, once per process; None when it is not readable math.

    Runs inside the caller's CPU budget: OutOfCpuTime passes through the cache uncached.
    """
    texts = gold_parts(gold_text)
    parsed = [_parse_answer(text) for text in texts]
    exprs = [part.expr for part in parsed]
    if any(expr is None or _is_undefined_number(expr) for expr in exprs):
        # `12:00` reads as 12/0: not a gold anything can be compared with.
        return None
    expr = exprs[0] if len(exprs) == 1 else _combine(exprs)
    value = _value_or_self(expr)
    return _Gold(expr, value, _parts_of(value))


# -- the verdict ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Judgement:
    verdict: Verdict
    extracted: str | None
    reason: str


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _judge(gold_text: str, answer: FinalAnswer) -> _Judgement:
    """The verdict for one final answer against one gold whose parse is cached and readable."""
    gold = _parse_gold(gold_text)
    assert gold is not None  # math_accuracy checks the gold first
    if answer.final is None:
        return _Judgement("no_answer", None, _NO_ANSWER_REASON)
    if answer.cut_off:
        return _Judgement(
            "unparsable_answer",
            _shown(answer.final),
            "The last \\boxed{} is never closed (the completion was cut off), so its "
            "value is unknown.",
        )
    try:
        return _judge_parsed(gold, gold_text, answer)
    except OutOfCpuTime:
        raise
    except Exception as error:
        return _Judgement(
            "unparsable_answer",
            _shown(answer.final),
            f"math-verify failed on the final answer ({type(error).__name__}), "
            "so it is treated as unreadable.",
        )


_NO_ANSWER_REASON = (
    "The completion gives no final answer: no <answer> block, no \\boxed{} and no final-answer "
    'marker ("####", "the final answer is", "Answer:").'
)


def _final_prediction(gold: _Gold, answer: FinalAnswer) -> tuple[_Parsed, tuple[str, ...]]:
    """The prediction, and the boxes that must agree with it for it not to be a hedge.

    Against a multi-part gold, the last run of boxes (`\\boxed{2} and \\boxed{3}`) is one
    answer; against a one-part gold every box is a candidate of its own.
    """
    assert answer.final is not None
    if gold.parts > 1 and len(answer.run) > 1:
        parts = [_parse_answer(text) for text in answer.run]
        if all(part.expr is not None for part in parts):
            combined = _combine([part.expr for part in parts], like=gold.value)
            return _Parsed(combined, ", ".join(answer.run)), answer.others
    return _parse_answer(answer.final), answer.others + answer.run[:-1]


def _judge_choice(gold_text: str, answer: FinalAnswer) -> _Judgement | None:
    """A multiple-choice gold against an answer that names one choice and its value
    (`(C) 12`): the letters decide, since the value would be read as the answer."""
    assert answer.final is not None
    letter = gold_choice(gold_text)
    named = answer_choice(answer.final) if letter and len(answer.run) <= 1 else None
    if named is None or answer.others:
        return None
    shown = _shown(answer.final)
    if named == letter:
        return _Judgement("equivalent", shown, f"The final answer '{shown}' names choice {letter}.")
    return _Judgement(
        "different", shown, f"The final answer '{shown}' names choice {named}, not {letter}."
    )


def _agrees(pred: Any, other: Any, multi_part: bool) -> bool:
    if _equivalent(pred, other):
        return True
    members = pred.args if multi_part and isinstance(pred, (sympy.FiniteSet, sympy.Tuple)) else ()
    return any(_equivalent(member, other) for member in members)


def _judge_parsed(gold: _Gold, gold_text: str, answer: FinalAnswer) -> _Judgement:
    choice = _judge_choice(gold_text, answer)
    if choice is not None:
        return choice
    final, others = _final_prediction(gold, answer)
    extracted = _shown(final.shown or answer.final or "")
    if final.problem == "nothing_found":
        return _Judgement(
            "no_answer",
            None,
            "No final answer was found: the answer text holds nothing math-verify could read.",
        )
    if final.expr is None:
        return _Judgement(
            "unparsable_answer", extracted, f"The final answer '{extracted}' is not readable math."
        )

    if len(others) > _MAX_OTHER_BOXES:
        return _Judgement(
            "hedged",
            extracted,
            f"The answer boxes {len(others) + 1} different values; one final answer is required.",
        )
    for box in others:
        other = _parse_answer(box)
        if other.expr is not None and not _agrees(final.expr, other.expr, gold.parts > 1):
            return _Judgement(
                "hedged",
                extracted,
                f"The answer boxes different values ('{_shown(box)}' and '{extracted}'); "
                "one final answer is required.",
            )

    pred, target = final.expr, gold.expr
    pred_value = _assigned_value(pred)
    gold_is_assignment = gold.value is not gold.expr
    if _is_relation(pred) and not _is_relation(gold.expr):
        if pred_value is None:
            pred_value = _worked_value(pred)
        if pred_value is None and isinstance(pred, (sympy.Eq, sympy.And)):
            return _Judgement(
                "different",
                extracted,
                f"The final answer '{extracted}' is an equation, but the reference "
                f"'{_shown(gold_text)}' is a value.",
            )
        if pred_value is not None:
            pred = pred_value
    elif isinstance(pred, sympy.FiniteSet) and pred_value is not None and not gold_is_assignment:
        pred = pred_value  # `x = 1 \text{ or } x = 2` against the set `1, 2`
    elif gold_is_assignment and pred_value is None and not _is_relation(pred):
        # `x = 1, 2` against `\boxed{1, 2}`: compare the solutions, not the equation.
        target = gold.value

    if isinstance(pred, sympy.FiniteSet) and len(pred) >= 2 and not gold.structured:
        # One value is wanted and several are on offer: hedging, unless they are one value
        # written in several ways.
        distinct = _distinct_values(pred)
        if len(distinct) >= 2:
            return _Judgement(
                "hedged",
                extracted,
                f"The final answer '{extracted}' offers several values, but the reference "
                f"'{_shown(gold_text)}' is one value.",
            )
        pred = distinct[0]

    gold_bases = number_bases(" ".join(gold_parts(gold_text)))
    pred_bases = number_bases(extracted)
    if gold_bases and pred_bases and gold_bases != pred_bases:
        return _Judgement(
            "different",
            extracted,
            f"The final answer '{extracted}' is written in another base than the reference "
            f"'{_shown(gold_text)}'.",
        )

    if _equivalent(target, pred):
        return _Judgement(
            "equivalent",
            extracted,
            f"The final answer '{extracted}' is equivalent to the reference '{_shown(gold_text)}'.",
        )
    return _Judgement(
        "different",
        extracted,
        f"The final answer '{extracted}' is not equivalent to the reference '{_shown(gold_text)}'.",
    )


_judge_cached = functools.lru_cache(maxsize=16384)(_judge)


def _gold_text(reference: dict[str, Any]) -> str | None:
    gold = reference.get("answer")
    if isinstance(gold, bool) or not isinstance(gold, (str, int, float)):
        return None
    text = str(gold).strip()
    return text or None


_VALUES: dict[Verdict, float] = {
    "equivalent": 1.0,
    "different": 0.0,
    "hedged": 0.0,
    "no_answer": 0.0,
    "unparsable_answer": 0.0,
}


def _cacheable(answer: FinalAnswer) -> bool:
    texts = (answer.final or "", *answer.run, *answer.others)
    return sum(len(text) for text in texts) <= _CACHEABLE_CHARS


def _grade(gold_text: str | None, answer: FinalAnswer) -> _Judgement:
    if gold_text is None:
        return _Judgement(
            "bad_reference",
            _shown(answer.final) if answer.final else None,
            'The item has no usable reference["answer"], so it cannot be graded.',
        )
    try:
        with cpu_budget(GOLD_CPU_BUDGET_S):
            gold = _parse_gold(gold_text)
    except OutOfCpuTime:
        return _Judgement(
            "timeout",
            None,
            f"Reading the reference answer used more than {GOLD_CPU_BUDGET_S:g} s of CPU time.",
        )
    except Exception:
        gold = None
    if gold is None:
        return _Judgement(
            "bad_reference",
            _shown(answer.final) if answer.final else None,
            f"The reference answer '{_shown(gold_text)}' could not be parsed as math, "
            "so this item cannot be graded.",
        )
    judge = _judge_cached if _cacheable(answer) else _judge
    try:
        with cpu_budget(ANSWER_CPU_BUDGET_S):
            return judge(gold_text, answer)
    except OutOfCpuTime:
        return _Judgement(
            "timeout",
            _shown(answer.final or ""),
            "Reading or comparing the final answer used more than "
            f"{ANSWER_CPU_BUDGET_S:g} s of CPU time.",
        )


def verdict_key(item: GradingInput) -> tuple[str | None, FinalAnswer]:
    """All that an item's math verdict depends on, with the prompt (`repeats_the_question`):
    items with equal keys and prompts get equal verdicts.

    A batch planner may grade one item per key (the GRPO samples of a prompt that share a
    final answer, whatever their reasoning) and fan the score out.
    """
    answer = read_final_answer(item.completion) if item.completion else NO_ANSWER
    return _gold_text(item.reference), answer


def math_accuracy(item: GradingInput) -> Score:
    """1.0 when the final answer is mathematically equivalent to `reference["answer"]`, else
    0.0; None with an error when the gold is missing or unreadable (`bad_reference`) or a
    CPU budget ran out (`timeout`)."""
    gold_text, answer = verdict_key(item)
    judgement = _grade(gold_text, answer)
    shown = judgement.extracted
    if judgement.verdict == "equivalent" and shown is not None:
        if repeats_the_question(shown, item.prompt, gold_text):
            judgement = _Judgement(
                "no_answer",
                shown,
                f"The final answer '{shown}' repeats the question's expression instead of "
                "giving its value.",
            )
        elif answer.source != "box" and is_unevaluated_arithmetic(shown, gold_text):
            # Unboxed text such as "Final answer: compute 5 - 4" or "<answer>What is 2 - 1
            # </answer>" restates a question, with or without the prompt to compare.
            judgement = _Judgement(
                "no_answer",
                shown,
                f"The final answer '{shown}' is arithmetic still to be done, not its value.",
            )
    details = {
        "extracted": judgement.extracted,
        "reference": gold_text,
        "verdict": judgement.verdict,
    }
    if judgement.verdict in ("bad_reference", "timeout"):
        code = "timeout" if judgement.verdict == "timeout" else "bad_reference"
        return Score(
            value=None,
            reason=judgement.reason,
            details=details,
            error=ItemError(code=code, message=judgement.reason),
        )
    return Score(value=_VALUES[judgement.verdict], reason=judgement.reason, details=details)
