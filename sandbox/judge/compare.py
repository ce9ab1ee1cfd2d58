"""How the judge compares what a case produced with what the reference expects.

    same_lines(got, expected)        stdout: line by line, trailing white space ignored
    json_equal(got, expected)        a functional case's return value, as JSON: an integer
                                     is matched exactly, floats to 1e-6, true is not 1
    json_text(got)                   that value written as JSON, for a reference's checker

`got` is always a value rebuilt by values.decode (builtin and stdlib types only), so every
comparison here is Python's own on plain data: nothing of the solution runs.
"""

from __future__ import annotations

import collections
import decimal
import fractions
import json
import math
import numbers
import re

FLOAT_TOLERANCE = 1e-6
# A snapshot's range is two numbers that may stand for 10**18 of them: written out for a
# checker it must stay within what a returned list could have been (the result pipe's cap).
MAX_RANGE_ITEMS = 1 << 20


def same_lines(got: str, expected: str) -> bool:
    """Line by line, trailing white space ignored (and trailing blank lines with it)."""
    return normal_lines(got) == normal_lines(expected)


# White space (str.isspace's, as str.rstrip strips it) other than the newline, at a line's end.
TRAILING_SPACE = re.compile(r"[^\S\n]+(?=\n|\Z)")


def normal_lines(text: str) -> str:
    """The text with each line's trailing white space and the trailing blank lines removed:
    what comparing its lines, each rstrip()ped, compares. One string, not a list of lines: a
    16 MiB stdout of newlines would be 16 million str objects in the judge (MemoryError)."""
    return TRAILING_SPACE.sub("", text).rstrip("\n")


def json_equal(got: object, expected: object, tolerance: float = FLOAT_TOLERANCE) -> bool:
    """Whether got, written as JSON, is the expected JSON value.

    - bool matches bool only; None matches None only; strings match exactly;
    - an int expected value matches a number equal to it exactly (3 == 3.0, 1e12 is not
      1000000123456); a float expected value matches a number within `tolerance`, absolute
      or relative; numbers of any size compare without OverflowError;
    - lists match lists or tuples; objects match dicts (Counter, OrderedDict, ...) whose keys,
      written as JSON keys, and values match.
    """
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(got) is type(expected) and got == expected
    if expected is None or got is None:
        return got is expected
    if isinstance(expected, numbers.Number):
        return isinstance(got, numbers.Number) and numbers_match(got, expected, tolerance)
    if isinstance(expected, str):
        return isinstance(got, str) and got == expected
    if isinstance(expected, list):
        return (
            isinstance(got, list | tuple)
            and len(got) == len(expected)
            and all(json_equal(g, e, tolerance) for g, e in zip(got, expected, strict=True))
        )
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return False
        keyed = {}
        for key, value in got.items():
            written = json_key(key)
            if written is None or written in keyed:
                return False  # not JSON, or two keys that JSON would write the same
            keyed[written] = value
        return keyed.keys() == expected.keys() and all(
            json_equal(keyed[k], expected[k], tolerance) for k in expected
        )
    return False


def numbers_match(got: numbers.Number, expected: numbers.Number, tolerance: float) -> bool:
    if isinstance(got, complex) or isinstance(expected, complex):
        return got == expected
    if got == expected:  # exact, whatever the sizes (int vs float comparison is exact)
        return True
    if not isinstance(expected, float):
        return False  # an integer is matched exactly
    try:
        got_float = float(got)
    except (OverflowError, ValueError, TypeError):
        return False  # beyond any float: not within a tolerance of a finite one
    if not (math.isfinite(got_float) and math.isfinite(expected)):
        return False
    difference = abs(got_float - expected)
    return difference <= tolerance or difference <= tolerance * abs(expected)


def json_key(key: object) -> str | None:
    """The key json.dumps would write for a dict key, or None when it refuses one."""
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        try:
            return int.__repr__(key)
        except ValueError:  # more digits than int->str allows
            return None
    if isinstance(key, float):
        if math.isnan(key):
            return "NaN"
        if math.isinf(key):
            return "Infinity" if key > 0 else "-Infinity"
        return float.__repr__(key)
    return None


def json_text(got: object) -> str | None:
    """got written as JSON for a reference's checker, only where JSON says exactly what got
    is (what json_equal reads it as): tuples, deques and ranges as arrays; Counter and
    OrderedDict as objects; an integral Fraction or Decimal as an integer, another as the
    nearest float. None where it has no such form, and the case fails:
    - a set or frozenset (no order: a sorted array would be a list the solution never
      returned, and in Python a set never equals a list);
    - a dict with keys JSON would write alike (`{1: 4, "1": 5}`: a checker would read only the
      last) or keys JSON cannot write (a tuple);
    - NaN or an infinity (not JSON); bytes, a complex number, an int too long to write, a deep
      nesting, ranges of more than MAX_RANGE_ITEMS numbers in all."""
    try:
        form = _json_form(got, [MAX_RANGE_ITEMS])
        return json.dumps(form, allow_nan=False, ensure_ascii=False)
    except (NoJSONForm, TypeError, ValueError, RecursionError, OverflowError, MemoryError):
        return None


class NoJSONForm(ValueError):
    """A value JSON cannot write faithfully."""


def _json_form(value: object, range_budget: list[int]) -> object:
    """value as plain JSON data (dict with str keys, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NoJSONForm("NaN and infinities are not JSON")
        return float(value)
    if isinstance(value, fractions.Fraction):
        return value.numerator if value.denominator == 1 else _finite(float(value))
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise NoJSONForm("NaN and infinities are not JSON")
        if value == value.to_integral_value() and value.adjusted() < 4000:
            return int(value)  # adjusted(): no int of a billion digits from Decimal("1e1000000000")
        return _finite(float(value))
    if isinstance(value, range):
        if len(value) > range_budget[0]:  # len is O(1); OverflowError past ssize_t
            raise NoJSONForm("ranges too long to write out")
        range_budget[0] -= len(value)
        return list(value)
    if isinstance(value, list | tuple | collections.deque):
        return [_json_form(item, range_budget) for item in value]
    if isinstance(value, dict):
        written: dict = {}
        for key, item in value.items():
            name = json_key(key)
            if name is None or name in written:
                raise NoJSONForm("dict keys JSON cannot write, or would write alike")
            written[name] = _json_form(item, range_budget)
        return written
    raise NoJSONForm(f"{type(value).__name__} has no JSON form")


def _finite(number: float) -> float:
    if not math.isfinite(number):
        raise NoJSONForm("too large for a JSON number")
    return number
