"""The math `accuracy` reward: is the completion's final answer the gold answer?

Reading the answer:
    the `<answer>` block if there is one, else the whole completion; in that text the last
    `\\boxed{}` (or `\\fbox{}`) if any, else the text itself.

Comparing:
    math-verify (sympy underneath), gold first.  Both sides are parsed as one whole LaTeX
    expression when they look like bare math, because math-verify's free-text extraction
    reads `1/2^{99}` as 1 and `x+y=5` as 5.  Around math-verify sit a few explicit rules
    that close known false positives: hedged answers, equations offered for values, and
    near-equal tiny numbers.  docs/rewards-math.md gives every choice and its reason.

Cost:
    the parsed gold and each (gold, answer) verdict are cached per process, so the 16 samples
    of one prompt that share a final answer are compared once.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

import sympy
from latex2sympy2_extended import NormalizationConfig
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
from math_verify.errors import TimeoutException
from math_verify.utils import timeout as math_verify_timeout

from rewardd.rewards.blocks import answer_block
from rewardd.rewards.types import GradingInput, ItemError, Score

Verdict = Literal[
    "equivalent", "different", "hedged", "no_answer", "unparsable_answer", "bad_reference"
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

_STEP_TIMEOUT_S = 3  # one math-verify parse or verify (signal.alarm wants whole seconds)
_ITEM_BUDGET_S = 6.0  # all steps of one item; the pool's hard kill is the backstop
_MAX_OTHER_BOXES = 4  # more distinct boxed values than this is hedging without asking sympy
_CACHEABLE_CHARS = 4096  # longer answers are graded uncached, so the cache stays small
_MAX_BOX_NESTING = 8
_SHOWN_CHARS = 500  # how much of a long answer goes into details and reasons
_PROSE_FALLBACK_WORDS = 3  # a text answer ("Evelyn", "no solution") may still be parsed whole


# -- reading the final answer -----------------------------------------------------------------

_BOX_COMMAND = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])\s*")
_EMPTY_BOX = re.compile(r"\\(?:boxed|fbox)\s*\{\s*\}")
_UNBRACED_BOX_ARGUMENT = re.compile(r"[^\s$\\{}]+")


def _closing_brace(text: str, open_at: int) -> int | None:
    """Index of the `}` that closes the `{` at `open_at`; escaped `\\{ \\}` do not count."""
    depth = 0
    index = open_at
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _scan_boxes(text: str, depth: int = 0) -> tuple[list[str], str | None]:
    """The contents of the outermost `\\boxed{}`/`\\fbox{}` in order, nested boxes unwrapped,
    and the text of a box left open at the end (a completion cut off mid-answer), if any.

    Empty boxes are skipped: they offer no value.
    """
    contents: list[str] = []
    position = 0
    while match := _BOX_COMMAND.search(text, position):
        start = match.end()
        if start < len(text) and text[start] == "{":
            close = _closing_brace(text, start)
            if close is None:
                return contents, text[match.start() :].strip()
            content = text[start + 1 : close]
            position = close + 1
        else:
            # `\boxed 5`: TeX takes one token; a model writing `\boxed 12` means 12.
            argument = _UNBRACED_BOX_ARGUMENT.match(text, start)
            if argument is None:
                position = start
                continue
            content = argument.group(0)
            position = argument.end()
        # Unwrap `\\boxed{\\boxed{5}}`, but not without end: a deep nest is not an answer.
        inner = _scan_boxes(content, depth + 1)[0] if depth < _MAX_BOX_NESTING else []
        content = inner[-1] if inner else content.strip()
        if content:
            contents.append(content)
    return contents, None


def _boxed_contents(text: str) -> list[str]:
    return _scan_boxes(text)[0]


def _answer_text(completion: str) -> str:
    block = answer_block(completion)
    return block if block is not None else completion


def extract_final_answer(completion: str) -> str | None:
    """The final answer text, per the contract, or None when there is none.

    The `<answer>` block if there is one, else the whole completion; in that text, the
    content of the last `\\boxed{}` (or `\\fbox{}`, nested boxes unwrapped) if any, else the
    text itself, stripped.  A box left open at the end (the completion was cut off) is
    returned as written, from `\\boxed{` on: it is the last box, but it holds no answer.
    """
    candidates, _ = _answer_candidates(completion)
    return candidates[-1] if candidates else None


def _answer_candidates(completion: str) -> tuple[tuple[str, ...], bool]:
    """Distinct boxed answers (the final one last), or the answer text alone, or ();
    and whether the final one is a box left open.

    Boxes that differ only in white space are one candidate.
    """
    text = _answer_text(completion)
    boxes, left_open = _scan_boxes(text)
    if left_open is not None:
        boxes.append(left_open)
    if not boxes:
        stripped = _EMPTY_BOX.sub("", text).strip()
        return ((stripped,) if stripped else ()), False
    final = boxes[-1]
    seen = {_squash(final)}
    others: list[str] = []
    for box in reversed(boxes[:-1]):
        key = _squash(box)
        if key not in seen:
            seen.add(key)
            others.append(box)
    return (*reversed(others), final), left_open is not None


def _squash(text: str) -> str:
    return "".join(text.split())


# -- parsing one answer -----------------------------------------------------------------------


class _OutOfTime(Exception):
    """This item's time budget is spent; grading stops instead of trying the next step."""


@dataclass
class _Budget:
    """The time one item may spend in math-verify, shared by all its steps."""

    deadline: float

    @classmethod
    def start(cls) -> _Budget:
        return cls(deadline=time.monotonic() + _ITEM_BUDGET_S)

    def step_timeout(self) -> int | None:
        """Seconds for the next math-verify call, or None where signals cannot be used."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _OutOfTime
        # math-verify's timeouts are signal.alarm: only the main thread may set one.
        if threading.current_thread() is not threading.main_thread():
            return None
        return max(1, min(_STEP_TIMEOUT_S, math.ceil(remaining)))


@dataclass(frozen=True)
class _Parsed:
    """One answer read as math: `expr` is None when `problem` says why not."""

    expr: Any
    shown: str
    problem: Literal["nothing_found", "unparsable"] | None = None


_OUTER_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
_INNER_DELIMITER = re.compile(r"(?<!\\)\$|\\\(|\\\[")
_TEXT_GROUP = re.compile(r"\\(?:text\w*|mathrm|mathbf|mathit|mbox|operatorname)\s*\{[^{}]*\}")
_MATH_WORDS = frozenset(
    {
        *("and", "sqrt", "frac", "dfrac", "cdot", "times", "infty", "inf", "sup", "lim"),
        *("sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan"),
        *("sinh", "cosh", "tanh", "log", "exp", "max", "min", "gcd", "lcm", "mod"),
        *("det", "deg", "arg", "dim", "ker"),
    }
)
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}(?![A-Za-z])")
# Two-letter words that make a text prose; units such as `cm`, `km`, `kg` are not among them.
_SHORT_PROSE_WORDS = frozenset(
    {"is", "it", "so", "be", "we", "if", "of", "to", "at", "on", "by", "as", "an", "am"}
)
_THOUSANDS_SPACE = re.compile(r"(?<=\d)(?:\\[,;:! ]|~)\s*(?=\d{3}(?!\d))")
_PLAIN_FUNCTION = re.compile(r"(?<![\\A-Za-z])(sqrt|pi|infty|sin|cos|tan|ln|log|exp)(?![A-Za-z])")
_SQRT_PARENS = re.compile(r"\\sqrt\s*\(([^()]*)\)")
_UNICODE_MATH = {"−": "-", "·": "\\cdot ", "∞": "\\infty ", "√": "\\sqrt", "∓": "\\mp "}


def _clean_math(text: str) -> str:
    """Spellings latex2sympy misreads, rewritten: `1\\,000`, `sqrt(2)`, `pi/2`, `∞`."""
    for symbol, latex in _UNICODE_MATH.items():
        text = text.replace(symbol, latex)
    text = _THOUSANDS_SPACE.sub("", text)
    text = _PLAIN_FUNCTION.sub(r"\\\1", text)
    text = _SQRT_PARENS.sub(r"\\sqrt{\1}", text)
    return " ".join(text.split())


def _as_bare_math(text: str) -> str | None:
    """The text as one expression to parse whole, or None when it reads as prose or holds
    several math spans (those go to math-verify's free-text extraction)."""
    stripped = text.strip().rstrip(".").strip()
    for opening, closing in _OUTER_DELIMITERS:
        if stripped.startswith(opening) and stripped.endswith(closing):
            if len(stripped) >= len(opening) + len(closing):
                stripped = stripped[len(opening) : len(stripped) - len(closing)].strip()
            break
    if not stripped or _INNER_DELIMITER.search(stripped):
        return None
    for word in _WORD.findall(_TEXT_GROUP.sub(" ", stripped)):
        lowered = word.lower()
        if lowered in _SHORT_PROSE_WORDS or (len(word) > 2 and lowered not in _MATH_WORDS):
            return None
    return stripped


def _parse_whole(latex: str, budget: _Budget) -> Any:
    """The text read as one LaTeX expression, or None."""
    found = parse(
        f"\\boxed{{{_clean_math(latex)}}}",
        extraction_config=_WHOLE_LATEX,
        fallback_mode="no_fallback",
        extraction_mode="first_match",
        parsing_timeout=budget.step_timeout(),
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


def _parse_free_text(text: str, budget: _Budget) -> _Parsed:
    """math-verify's extraction from prose: only its first (best-ranked, rightmost) match counts,
    so an unreadable final answer is not replaced by an earlier number."""
    # math-verify's plain numbers need a space before them; "±2021" would read as nothing.
    text = _UNICODE_PLUS_MINUS.sub(r"\1 ", text)
    found = parse(
        text,
        extraction_config=_FREE_TEXT,
        fallback_mode="first_match",
        extraction_mode="first_match",
        parsing_timeout=budget.step_timeout(),
        raise_on_error=True,
    )
    if not found:
        return _Parsed(None, "", "nothing_found")
    if isinstance(found[0], str):
        return _Parsed(None, found[0], "unparsable")
    expr, shown = found[0], found[1] if len(found) > 1 else str(found[0])
    return _with_offered_alternatives(text, _Parsed(expr, shown), budget)


def _with_offered_alternatives(text: str, found: _Parsed, budget: _Budget) -> _Parsed:
    """Free extraction keeps one number of "2 or 3" and drops the sign of "±2021".  Put the
    other candidates back, as a set, so that hedging is seen and a set gold still matches."""
    at = text.rfind(found.shown)
    if at > 0 and _PLUS_MINUS_BEFORE.search(text[:at]):
        both = _parse_whole(f"\\pm {found.shown}", budget)
        if both is not None:
            return _Parsed(both, f"\\pm {found.shown}")
    if len(text) > _HEDGE_SCAN_CHARS:
        return found
    offered, phrases = [found.expr], []
    for match in _ALTERNATIVES.finditer(text):
        phrases.append(match.group(0))
        for value in match.groups():
            parsed = _parse_whole(value, budget)
            if parsed is not None:
                offered.append(parsed)
    if len(offered) == 1:
        return found
    return _Parsed(sympy.FiniteSet(*offered), "; ".join(phrases))


def _parse_answer(text: str, budget: _Budget) -> _Parsed:
    """One answer text (a box's content, an answer block, a completion, a gold) as math."""
    bare = _as_bare_math(text)
    if bare is not None:
        # One expression, read whole or not at all: math-verify's free extraction would
        # fall back to its last number (`5 \\vee 6` would read as 6).
        expr = _parse_whole(bare, budget)
        if expr is None:
            return _Parsed(None, bare, "unparsable")
        return _Parsed(expr, bare)
    parsed = _parse_free_text(text, budget)
    short = text.strip()
    if parsed.expr is None and len(short.split()) <= _PROSE_FALLBACK_WORDS:
        # A short text answer such as "Evelyn" or "no solution": math-verify compares these
        # as symbols, so read it whole rather than give up.
        expr = _parse_whole(short, budget)
        if expr is not None:
            return _Parsed(expr, short)
    return parsed


# -- comparing --------------------------------------------------------------------------------


def _is_relation(expr: Any) -> bool:
    return isinstance(expr, sympy.core.relational.Relational) or (
        isinstance(expr, sympy.And) and all(isinstance(a, sympy.Eq) for a in expr.args)
    )


def _equations_in_order(expr: Any) -> list[sympy.Eq]:
    # latex2sympy2's And keeps its written order in _unsorted_args; sympy's And sorts args.
    return list(getattr(expr, "_unsorted_args", expr.args))


def _assigned_value(expr: Any) -> Any:
    """`x = 3` -> 3, `x = 1+2 = 3` -> 3, `f(x) = 2x` -> 2x; None when `expr` is not an
    assignment to a bare name (`x+y = 5` and `3 = 5` are equations, not values)."""
    if isinstance(expr, sympy.Eq):
        chain = [expr]
    elif isinstance(expr, sympy.And) and all(isinstance(a, sympy.Eq) for a in expr.args):
        chain = _equations_in_order(expr)
    else:
        return None
    name = chain[0].lhs
    is_bare_name = isinstance(name, (sympy.Symbol, sympy.core.function.AppliedUndef))
    return chain[-1].rhs if is_bare_name else None


_SET_LIKE = (sympy.Set, sympy.Tuple, sympy.MatrixBase)
_MAX_OFFERED_VALUES = 6  # more values than this against a one-value gold is hedging outright


def _distinct_values(offered: sympy.FiniteSet, budget: _Budget) -> list[Any]:
    """The values of a set that are not equivalent to one another (`1/2 or 50%` is one)."""
    distinct: list[Any] = []
    for value in offered.args:
        if len(distinct) > _MAX_OFFERED_VALUES:
            break
        if not any(_equivalent(kept, value, budget) for kept in distinct):
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


def _equivalent(gold: Any, pred: Any, budget: _Budget) -> bool:
    """math-verify's verdict, gold first, then the tiny-number guard under the same timeout."""
    seconds = budget.step_timeout()
    same = verify(
        gold,
        pred,
        float_rounding=_FLOAT_ROUNDING,
        numeric_precision=_NUMERIC_PRECISION,
        strict=True,  # x = 1 is not y = 1
        allow_set_relation_comp=False,  # restating x^2-3x+2=0 must not "equal" {1, 2}
        timeout_seconds=seconds,
        raise_on_error=True,
    )
    if not same:
        return False
    far = math_verify_timeout(seconds)(_numerically_far)(gold, pred)
    return not far


# -- the verdict ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Judgement:
    verdict: Verdict
    extracted: str | None
    reason: str


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


@functools.lru_cache(maxsize=4096)
def _parse_gold(gold: str) -> _Parsed:
    """The gold as math, once per process.  A gold in a box is read from its last box."""
    budget = _Budget.start()
    boxes = _boxed_contents(gold)
    text = boxes[-1] if boxes else gold
    try:
        parsed = _parse_answer(text, budget)
    except (TimeoutException, _OutOfTime):
        return _Parsed(None, text, "unparsable")
    except Exception:
        return _Parsed(None, text, "unparsable")
    if parsed.expr is not None and _is_undefined_number(parsed.expr):
        # `12:00` reads as 12/0: not a gold anything can be compared with.
        return _Parsed(None, text, "unparsable")
    return parsed


def _judge(gold_text: str, candidates: tuple[str, ...], cut_off: bool) -> _Judgement:
    """The verdict for one final answer (`candidates[-1]`, after any other distinct boxed
    answers; a box left open when `cut_off`) against one gold."""
    gold = _parse_gold(gold_text)
    if gold.expr is None:
        return _Judgement(
            "bad_reference",
            _shown(candidates[-1]) if candidates else None,
            f"The reference answer '{_shown(gold_text)}' could not be parsed as math, "
            "so this item cannot be graded.",
        )
    if not candidates:
        return _Judgement("no_answer", None, "The completion gives no final answer.")
    if cut_off:
        return _Judgement(
            "unparsable_answer",
            _shown(candidates[-1]),
            "The last \\boxed{} is never closed (the completion was cut off), so its "
            "value is unknown.",
        )
    budget = _Budget.start()
    final_text = candidates[-1]
    try:
        return _judge_parsed(gold.expr, gold_text, final_text, candidates[:-1], budget)
    except (TimeoutException, _OutOfTime):
        return _Judgement(
            "unparsable_answer",
            _shown(final_text),
            "Reading or comparing the final answer took longer than math-verify's time "
            "limit, so it is treated as unreadable.",
        )
    except Exception as error:
        return _Judgement(
            "unparsable_answer",
            _shown(final_text),
            f"math-verify failed on the final answer ({type(error).__name__}), "
            "so it is treated as unreadable.",
        )


def _judge_parsed(
    gold: Any, gold_text: str, final_text: str, other_boxes: tuple[str, ...], budget: _Budget
) -> _Judgement:
    final = _parse_answer(final_text, budget)
    extracted = _shown(final.shown or final_text)
    if final.problem == "nothing_found":
        return _Judgement(
            "no_answer",
            None,
            "No final answer was found: no \\boxed{} and nothing math-verify could extract.",
        )
    if final.expr is None:
        return _Judgement(
            "unparsable_answer", extracted, f"The final answer '{extracted}' is not readable math."
        )

    if len(other_boxes) > _MAX_OTHER_BOXES:
        return _Judgement(
            "hedged",
            extracted,
            f"The answer boxes {len(other_boxes) + 1} different values; one final value "
            "is required.",
        )
    for box in other_boxes:
        other = _parse_answer(box, budget)
        if other.expr is not None and not _equivalent(final.expr, other.expr, budget):
            return _Judgement(
                "hedged",
                extracted,
                f"The answer boxes different values ('{_shown(box)}' and '{extracted}'); "
                "one final value is required.",
            )

    pred = final.expr
    if _is_relation(pred) and not _is_relation(gold):
        value = _assigned_value(pred)
        if value is None and isinstance(pred, (sympy.Eq, sympy.And)):
            return _Judgement(
                "different",
                extracted,
                f"The final answer '{extracted}' is an equation, but the reference "
                f"'{_shown(gold_text)}' is a value.",
            )
        if value is not None:
            pred = value

    if isinstance(pred, sympy.FiniteSet) and len(pred) >= 2 and not isinstance(gold, _SET_LIKE):
        # One value is wanted and several are on offer: hedging, unless they are one value
        # written in several ways.
        distinct = _distinct_values(pred, budget)
        if len(distinct) >= 2:
            return _Judgement(
                "hedged",
                extracted,
                f"The final answer '{extracted}' offers several values, but the reference "
                f"'{_shown(gold_text)}' is one value.",
            )
        pred = distinct[0]

    if _equivalent(gold, pred, budget):
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


def math_accuracy(item: GradingInput) -> Score:
    """1.0 when the final answer is mathematically equivalent to `reference["answer"]`, else
    0.0; None with a `bad_reference` error when the gold is missing or unreadable."""
    gold_text = _gold_text(item.reference)
    candidates, cut_off = _answer_candidates(item.completion)
    if gold_text is None:
        judgement = _Judgement(
            "bad_reference",
            _shown(candidates[-1]) if candidates else None,
            'The item has no usable reference["answer"], so it cannot be graded.',
        )
    elif sum(len(text) for text in candidates) <= _CACHEABLE_CHARS:
        judgement = _judge_cached(gold_text, candidates, cut_off)
    else:
        judgement = _judge(gold_text, candidates, cut_off)

    details = {
        "extracted": judgement.extracted,
        "reference": gold_text,
        "verdict": judgement.verdict,
    }
    if judgement.verdict == "bad_reference":
        return Score(
            value=None,
            reason=judgement.reason,
            details=details,
            error=ItemError(code="bad_reference", message=judgement.reason),
        )
    return Score(value=_VALUES[judgement.verdict], reason=judgement.reason, details=details)
