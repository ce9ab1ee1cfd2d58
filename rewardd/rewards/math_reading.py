"""Reading a final answer and a gold answer out of text, before any math is parsed.

Plain string work, linear in the text: boxes, answer blocks, final-answer markers, and the
spellings latex2sympy misreads.  docs/rewards-math.md gives every rule and its reason.

Completion (contract v2, "Reading the final answer"):
    in an `<answer>` block, its last `\\boxed{}`, else the block's whole text; with no block,
    the last `\\boxed{}`, else the statement after the last explicit final-answer marker
    (`FINAL_ANSWER_MARKERS`), else no answer at all.  Text without a marker is never read:
    a completion that repeats the question's `1 + 1` must not score.
Gold:
    read the same way, except that all its boxes together are one multi-part answer, and a
    gold with no box and no marker is its whole text (a dataset's gold is an answer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from latex2sympy2_extended.math_normalization import NormalizationConfig, normalize_latex

from rewardd.rewards.blocks import answer_block

# -- boxes -------------------------------------------------------------------------------------

_BOX_COMMAND = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])\s*")
_UNBRACED_BOX_ARGUMENT = re.compile(r"[^\s$\\{}]+")
_MAX_BOX_NESTING = 8
# A box is math already: `\boxed{12 $ and $13}` (math mode closed and reopened) is `12 and 13`.
_STRAY_DOLLAR = re.compile(r"(?<!\\)\$")
_BLANK_BOX = re.compile(r"\\(?:boxed|fbox)\s*\{(?:\s|\\[hv]?phantom\s*\{[^{}]*\}|\\q?quad|[?~])*\}")
# What a blank box is filled with when a model copies the problem's "answer: \boxed{\phantom{2}}".
_INVISIBLE = re.compile(
    r"\\[hv]?phantom\s*\{[^{}]*\}|\\(?:q?quad|[,;:! ]|square|Box|blacksquare|ldots|dots|cdots)"
    r"|\\underline\s*\{[^{}]*\}|\\_|[\s~?_.]"
)


@dataclass(frozen=True)
class Box:
    content: str
    start: int  # where `\boxed` begins
    end: int  # just past its closing brace


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


def is_blank(content: str) -> bool:
    """True for a box that shows nothing: `\\boxed{}`, `\\boxed{\\phantom{2}}`, `\\boxed{?}`."""
    return not _INVISIBLE.sub("", content)


def scan_boxes(text: str, depth: int = 0) -> tuple[list[Box], str | None]:
    """The outermost `\\boxed{}`/`\\fbox{}` in order, nested boxes unwrapped and blank boxes
    skipped, and the text of a box left open at the end (a completion cut off mid-answer)."""
    boxes: list[Box] = []
    position = 0
    while match := _BOX_COMMAND.search(text, position):
        start = match.end()
        if start < len(text) and text[start] == "{":
            close = _closing_brace(text, start)
            if close is None:
                return boxes, text[match.start() :].strip()
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
        # Unwrap `\boxed{\boxed{5}}`, but not without end: a deep nest is not an answer.
        inner = scan_boxes(content, depth + 1)[0] if depth < _MAX_BOX_NESTING else []
        content = inner[-1].content if inner else _STRAY_DOLLAR.sub("", content).strip()
        if not is_blank(content):
            boxes.append(Box(content, match.start(), position))
    return boxes, None


# Text that may stand between the boxes of one multi-part answer:
# `\boxed{-2} \quad \text{and} \quad \boxed{1}`, `x = \boxed{1}, y = \boxed{2}`,
# `\boxed{(3, 3)} \text{ for part (a) and } \boxed{(1, 1)}`.  Joining too much is safe: a
# run is one answer compared whole, so an extra box only makes it wrong.
_RUN_GAP = re.compile(
    r"(?:\s|\$|,|;|&|\\\\|\\[,;:! ]|\\q?quad|\\[()\[\]]|\band\b|\bor\b"
    r"|\\(?:text|mbox|textrm|mathrm)\s*\{[^{}]{0,40}\}|\\?[A-Za-z](?:_\{?\w+\}?)?\s*=)*",
    re.IGNORECASE,
)
_MAX_RUN_GAP_CHARS = 60


def _final_run_start(text: str, boxes: list[Box]) -> int:
    """Index in `boxes` where the last run of boxes joined only by connectors begins."""
    first = len(boxes) - 1
    while first > 0:
        gap = text[boxes[first - 1].end : boxes[first].start]
        if len(gap) > _MAX_RUN_GAP_CHARS or "\n\n" in gap or not _RUN_GAP.fullmatch(gap):
            break
        first -= 1
    return first


def _distinct(texts: list[str]) -> tuple[str, ...]:
    """Texts in order, the later copy of any two that differ only in white space dropped."""
    seen: set[str] = set()
    kept: list[str] = []
    for text in texts:
        key = "".join(text.split())
        if key not in seen:
            seen.add(key)
            kept.append(text)
    return tuple(kept)


# -- final-answer markers ----------------------------------------------------------------------

# Each names the statement that follows it as the final answer (docs/rewards-math.md lists them).
FINAL_ANSWER_MARKERS: tuple[str, ...] = (
    "#### (GSM8K)",
    "final answer is / final answer:",
    "the answer is",
    "answer: (also **Answer:**, and Answer at the start of a line)",
    "答案是 / 答案为 / 答案:",
)
_MARKER = re.compile(
    r"#{4}"
    r"|\bfinal\s+answer\b(?:\s*\**\s*(?:is\b|:|：))?"
    r"|\bthe\s+(?:correct\s+)?answer\s+(?:is|would\s+be|should\s+be)\b"
    r"|\banswer\s*\**\s*[:：]"
    r"|^[ \t>#*]*answer\b(?!\s+[a-z]{2,})"  # "Answer 9", not "Answer the following"
    r"|答案\s*(?:是|为|[:：])",
    re.IGNORECASE | re.MULTILINE,
)
_MAX_MARKED_CHARS = 500
_MARKED_LEAD = re.compile(r"^[\s*:：]*")
_DISPLAY_OPENERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))


def _statement(text: str) -> str:
    """The first statement of `text`: up to a line break or a sentence end, math kept whole.

    `$7$. I hope it is correct.` gives `$7$`; `3.5 apples` stays whole (no space after the
    point); `$$\\n 9 \\n$$` stays whole (inside display math).
    """
    index = 0
    closing: str | None = None
    while index < len(text):
        if closing is not None:
            if text[index] == "\n" and closing in ("$", "\\)"):
                break  # inline math does not run across lines
            if text.startswith(closing, index) and not (closing == "$" and text[index - 1] == "\\"):
                index += len(closing)
                closing = None
                continue
            index += 1
            continue
        if text[index] == "\\" and text.startswith(("\\[", "\\("), index):
            closing = "\\]" if text[index + 1] == "[" else "\\)"
            index += 2
            continue
        if text[index] == "$" and (index == 0 or text[index - 1] != "\\"):
            closing = "$$" if text.startswith("$$", index) else "$"
            index += len(closing)
            continue
        if text[index] == "\n":
            break
        if text[index] in ".!?" and (index + 1 == len(text) or text[index + 1].isspace()):
            break
        index += 1
    return text[:index].strip()


def marked_answer(text: str) -> str | None:
    """The statement after the last final-answer marker, or None when there is no marker."""
    last = None
    for match in _MARKER.finditer(text):
        last = match
    if last is None:
        return None
    rest = text[last.end() : last.end() + _MAX_MARKED_CHARS]
    rest = _MARKED_LEAD.sub("", rest.replace("**", ""))
    statement = _statement(rest)
    asks = rest[len(statement) :].lstrip().startswith("?") if statement else False
    if not statement or asks or statement.endswith("?"):
        return None  # "Answer: what is 1 + 1?" asks; it does not answer
    return statement


# -- the final answer of a completion ----------------------------------------------------------

Source = Literal["box", "block", "marker", "none"]


@dataclass(frozen=True)
class FinalAnswer:
    """What a completion offers as its final answer.

    `final`: the last box's content, the answer block's text, or the marked statement.
    `run`: the distinct boxes of the last run of boxes joined only by connectors (`final`
    last), which is one multi-part answer when the gold has several parts.
    `others`: the distinct boxes before that run; `cut_off`: the last box is never closed.
    """

    source: Source
    final: str | None = None
    run: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    cut_off: bool = False


NO_ANSWER = FinalAnswer("none")


def _boxed_text(completion: str) -> str:
    """Where the boxes of a completion without an `<answer>` block are read: after its last
    `</think>` when a box is there (boxes inside the reasoning are steps, not candidates;
    R1-distilled models get `<think>` from the prompt and write only `</think>`), else all."""
    end = completion.rfind("</think>")
    if end >= 0:
        after = completion[end + len("</think>") :]
        if _BOX_COMMAND.search(after):
            return after
    return completion


def read_final_answer(completion: str) -> FinalAnswer:
    block = answer_block(completion)
    text = block if block is not None else _boxed_text(completion)
    boxes, left_open = scan_boxes(text)
    if left_open is not None:
        return FinalAnswer(
            "box", left_open, (left_open,), _distinct([b.content for b in boxes]), True
        )
    if boxes:
        first = _final_run_start(text, boxes)
        run = _distinct([box.content for box in boxes[first:]][::-1])[::-1]
        in_run = {"".join(t.split()) for t in run}
        others = [
            box.content for box in boxes[:first] if "".join(box.content.split()) not in in_run
        ]
        return FinalAnswer("box", boxes[-1].content, run, _distinct(others))
    if block is not None:
        stripped = _BLANK_BOX.sub("", block).strip()
        # `<answer>What is 2 - 1?</answer>` asks; it does not answer (as after a marker).
        return FinalAnswer("block", stripped) if stripped and stripped[-1] != "?" else NO_ANSWER
    marked = marked_answer(completion)
    return FinalAnswer("marker", marked) if marked else NO_ANSWER


def extract_final_answer(completion: str) -> str | None:
    """The final answer text, per the contract, or None when there is none."""
    return read_final_answer(completion).final


# -- the parts of a gold answer ----------------------------------------------------------------

_SPAN = re.compile(r"(?<!\\)\$([^$]+)\$")
_SPAN_CONNECTOR = re.compile(r"(?:,|;|or|and|\\text\s*\{\s*(?:or|and)\s*\})", re.IGNORECASE)


def math_spans(text: str) -> tuple[str, ...] | None:
    """`$21,16$ or $11$` -> ("21,16", "11"): a text made only of math spans and connectors,
    as its spans; None for any other text.  (A scan, not one regex: nested quantifiers over
    white space backtrack quadratically on a hostile answer.)"""
    spans: list[str] = []
    position = 0
    for match in _SPAN.finditer(text):
        gap = text[position : match.start()].strip()
        joined = _SPAN_CONNECTOR.fullmatch(gap) if spans else not gap
        if not joined:
            return None
        spans.append(match.group(1).strip())
        position = match.end()
    if len(spans) < 2 or text[position:].strip() not in ("", "."):
        return None
    return tuple(spans)


def gold_parts(gold: str) -> tuple[str, ...]:
    """The texts of a gold answer's parts: all its boxes (one multi-part answer), else the
    statement after a final-answer marker (GSM8K's `#### 72`), else the whole text."""
    block = answer_block(gold)
    text = block if block is not None else gold
    boxes, _ = scan_boxes(text)
    if boxes:
        return _distinct([box.content for box in boxes])
    marked = marked_answer(text) if block is None else None
    return (marked or text.strip(),)


# -- spellings latex2sympy misreads ------------------------------------------------------------

_THOUSANDS_SPACE = re.compile(r"(?<=\d)(?:\\[,;:! ]|~|[\u00a0\u2009\u202f])\s*(?=\d{3}(?!\d))")
_SPACED_NUMBER = re.compile(r"-?\d{1,3}(?: \d{3})+(?:\.\d+)?")
_PLAIN_FUNCTION = re.compile(r"(?<![\\A-Za-z])(sqrt|pi|infty|sin|cos|tan|ln|log|exp)(?![A-Za-z])")
_SQRT_PARENS = re.compile(r"\\sqrt\s*\(([^()]*)\)")
_UPRIGHT_CONSTANT = re.compile(r"\\(?:mathrm|operatorname|rm|mathit|textrm)\s*\{\s*([ei])\s*\}")
_PHANTOM = re.compile(r"\\[hv]?phantom\s*\{[^{}]*\}")
# `\left.` and `\right.` are invisible delimiters; latex2sympy cannot read them.
_NULL_DELIMITER = re.compile(r"\\(?:left|right)\s*\.")
_UNICODE_MATH = {
    "−": "-",
    "·": "\\cdot ",
    "∞": "\\infty ",
    "√": "\\sqrt",
    "∓": "\\mp ",
    "°": "^{\\circ}",
}


_UNITS_ONLY = NormalizationConfig(
    basic_latex=False, units=True, malformed_operators=False, nits=False, boxed="none"
)


# Only units of two letters or more: latex2sympy's list also has `c`, `d`, `t`, `m`, which in
# `3c, 2d` are more likely variables.
_WORD_UNIT_AT_END = re.compile(
    r"\d\s*(?:\\(?:text|mbox|mathrm)\s*\{\s*[A-Za-z]{2,}\s*\}|[A-Za-z]{2,})\s*$"
)


def _top_level_pieces(text: str) -> list[str]:
    """`text` split at its commas outside any brackets: `35 cm, 4` -> ["35 cm", " 4"]."""
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    return [*pieces, text[start:]]


def _without_units_in_list(text: str) -> str:
    """latex2sympy drops a unit only at the end of the text; in a list (`{35 cm,4}`, a plain
    group of LaTeX, not a set) each element may carry one."""
    inner = text.strip()
    if inner.startswith("{") and inner.endswith("}") and not inner.startswith("{,"):
        inner = inner[1:-1]
    pieces = _top_level_pieces(inner)
    if len(pieces) < 2:
        return text
    return ",".join(
        normalize_latex(piece, _UNITS_ONLY) if _WORD_UNIT_AT_END.search(piece) else piece
        for piece in pieces
    )


def clean_math(text: str) -> str:
    """Spellings latex2sympy misreads, rewritten: `1\\,000`, `1 000`, `sqrt(2)`, `pi/2`, `∞`,
    `\\mathrm{e}` (Euler's e, upright), and invisible `\\phantom{}`, `\\left.` material dropped."""
    for symbol, latex in _UNICODE_MATH.items():
        text = text.replace(symbol, latex)
    text = _PHANTOM.sub("", text)
    text = _NULL_DELIMITER.sub("", text)
    text = _UPRIGHT_CONSTANT.sub(r"\1", text)
    text = _THOUSANDS_SPACE.sub("", text)
    text = _without_units_in_list(text)
    if _SPACED_NUMBER.fullmatch(text.strip()):
        # `1 000` alone is one number (latex2sympy reads 1*000); `2 3` in a formula is not.
        text = text.replace(" ", "")
    text = _PLAIN_FUNCTION.sub(r"\\\1", text)
    text = _SQRT_PARENS.sub(r"\\sqrt{\1}", text)
    return " ".join(text.split())


_OUTER_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
_INNER_DELIMITER = re.compile(r"(?<!\\)\$|\\\(|\\\[")
_TEXT_GROUP = re.compile(r"\\(?:text\w*|mathrm|mathbf|mathit|mbox|operatorname)\s*\{[^{}]*\}")
# `\begin{pmatrix}`, `\begin{array}{ccc}`: LaTeX structure, not words.
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{\s*\w+\*?\s*\}(?:\s*\{[lcr|\s]*\})?")
_MATH_WORDS = frozenset(
    {
        *("and", "or", "sqrt", "frac", "dfrac", "cdot", "times", "infty", "inf", "sup", "lim"),
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


def as_bare_math(text: str) -> str | None:
    """The text as one expression to parse whole, or None when it reads as prose or holds
    several math spans.  LaTeX needs no `$`: `\\begin{pmatrix}...` and `x = 1, 2` are math."""
    stripped = _NULL_DELIMITER.sub("", text).strip().rstrip(".").strip()
    if stripped.endswith(",") and not stripped.endswith("\\,"):
        stripped = stripped[:-1].strip()  # `\\boxed{2,}`: a stray comma, not a list
    for opening, closing in _OUTER_DELIMITERS:
        if stripped.startswith(opening) and stripped.endswith(closing):
            if len(stripped) >= len(opening) + len(closing):
                stripped = stripped[len(opening) : len(stripped) - len(closing)].strip()
            break
    if not stripped or _INNER_DELIMITER.search(stripped):
        return None
    words_only = _TEXT_GROUP.sub(" ", _ENVIRONMENT.sub(" ", stripped))
    for word in _WORD.findall(words_only):
        lowered = word.lower()
        if lowered in _SHORT_PROSE_WORDS or (len(word) > 2 and lowered not in _MATH_WORDS):
            return None
    return stripped


_BASE_SUBSCRIPT = re.compile(
    r"(?<![A-Za-z\\\d])\d+_\{?\s*(\d+|\\text\s*\{\s*\w+\s*\}|[a-z]+)\s*\}?"
)


def number_bases(text: str) -> tuple[str, ...]:
    """The bases of numbers written with one (`52_8`, `204_{5}` -> ("8",), ("5",)).

    math-verify drops the subscript, so `52_9` would equal `52_8`; the judge compares these.
    """
    return tuple("".join(base.split()) for base in _BASE_SUBSCRIPT.findall(text))


# Integer arithmetic with at least one operation: `1 + 1`, `12 \times 12`, `(3+4)\cdot 2`.
_ARITHMETIC = re.compile(
    r"^[\d\s(){}]*\d[\d\s(){}]*(?:(?:[-+*/^×÷·]|\\times|\\cdot|\\div)[\d\s(){}]*\d[\d\s(){}]*)+$"
)
_SQUASHED = re.compile(r"\s+|\$|\\left|\\right|\\[,;:! ]")


_OPERATION = re.compile(r"(?<=[\d\s)}])(?:[-+*×÷·]|\\times|\\cdot|\\div)")


def is_unevaluated_arithmetic(answer: str, gold: str | None = None) -> bool:
    """True for integer arithmetic with a sum, difference, product or quotient sign in it
    (`2 - 1`, `3 \\times 4`, `12 \\div 3`): an expression to evaluate, not a value, unless
    the gold itself is written so.  A fraction `3/4` and a power `2^{10}` are values; so is
    `-5`, and `-3 + 5` is arithmetic."""
    text = answer.strip().rstrip(".")
    unsigned = text.removeprefix("-")
    if not (_ARITHMETIC.match(unsigned) and _OPERATION.search(unsigned)):
        return False
    return gold is None or _SQUASHED.sub("", text) != _SQUASHED.sub("", gold)


def repeats_the_question(answer: str, prompt: str | None, gold: str | None = None) -> bool:
    """True when the answer is integer arithmetic copied from the prompt (`12 \\times 12` for
    "Compute 12 \\times 12."): the question's own expression, not its value.  Arithmetic
    only, because an expression such as `2 + \\sqrt{3}` may be a choice the prompt offers."""
    if not prompt or not _ARITHMETIC.match(answer.strip().rstrip(".")):
        return False
    squashed = _SQUASHED.sub("", answer.strip().rstrip("."))
    if gold is not None and squashed == _SQUASHED.sub("", gold):
        return False  # the gold itself is written so (`2^{10}`)
    return squashed in _SQUASHED.sub("", prompt)


# -- multiple-choice labels ----------------------------------------------------------------------

_LABEL_WRAPPER = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf)\s*\{([^{}]*)\}")
_GOLD_CHOICE = re.compile(r"\(?\s*([A-E])\s*\)?")
_CHOICE_LABEL = re.compile(r"\(\s*([A-E])\s*\)")


def gold_choice(gold: str) -> str | None:
    """The letter of a multiple-choice gold (`\\text{(C)}`, `(C)`, `C`), else None."""
    parts = gold_parts(gold)
    if len(parts) != 1:
        return None
    text = _LABEL_WRAPPER.sub(r"\1", parts[0]).strip().strip("$").strip()
    match = _GOLD_CHOICE.fullmatch(text)
    return match.group(1) if match else None


def answer_choice(answer: str) -> str | None:
    """The label an answer starts with when it names one choice and its value: `(C) 12`,
    `\\text{(C)}\\ 12`.  None when it names no label first or several (`(C) or (D)`)."""
    text = _LABEL_WRAPPER.sub(r"\1", answer).strip().strip("$*").strip()
    first = _CHOICE_LABEL.match(text)
    if first is None or set(_CHOICE_LABEL.findall(text)) != {first.group(1)}:
        return None
    return first.group(1)
