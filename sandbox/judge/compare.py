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

FLOAT_TOLERANCE = 1e-6
# A snapshot's range is two numbers that may stand for 10**18 of them: written out for a
# checker it must stay within what a returned list could have been (the result pipe's cap).
MAX_RANGE_ITEMS = 1 << 20


def same_lines(got: str, expected: str) -> bool:
    """Line by line, trailing white space ignored (and trailing blank lines with it)."""
    return lines_of(got) == lines_of(expected)


def lines_of(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


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
    """got written as JSON, as json_equal reads it (tuples, sets and deques as arrays,
    Fraction and Decimal as numbers, Counter and OrderedDict as objects); None when it has
    no JSON form (bytes, a complex number, an int too long to write, a deep nesting, a range
    of more than MAX_RANGE_ITEMS numbers)."""
    try:
        return json.dumps(got, default=_json_default, allow_nan=True)
    except (TypeError, ValueError, RecursionError, OverflowError, MemoryError):
        return None


def _json_default(value: object) -> object:
    if isinstance(value, set | frozenset):
        try:
            return sorted(value)
        except TypeError:  # mixed kinds: no order, any order is as good
            return list(value)
    if isinstance(value, range):
        if len(value) > MAX_RANGE_ITEMS:  # len of a range is O(1); OverflowError past ssize_t
            raise TypeError(f"a range of {len(value)} numbers is too long to write out")
        return list(value)
    if isinstance(value, collections.deque):
        return list(value)
    if isinstance(value, fractions.Fraction | decimal.Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} has no JSON form")
