"""A known-correct solution's broken variant, for the benchmark agreement checks
(tests/test_judge_humaneval.py, bench/code_benchmarks.py).

`broken_variant(solution, entry)` appends the source of `_rewardd_nudge` and `_rewardd_break`
below to the solution and rebinds `entry` to its broken self: every result of the function
under test is nudged to a wrong value of the same kind (a number moves, a string grows, a list
loses its last item, a bool flips). The two functions are ordinary code here, so they are
linted and tested like any other; only their text travels with the solution.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def _rewardd_nudge(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list | tuple):
        return type(value)(list(value)[:-1]) if value else type(value)([0])
    if value is None:
        return 0
    return None


def _rewardd_break(function):
    def broken(*args, **kwargs):
        return _rewardd_nudge(function(*args, **kwargs))

    return broken


APPENDED: tuple[Callable[..., Any], ...] = (_rewardd_nudge, _rewardd_break)


def broken_variant(solution: str, entry: str) -> str:
    """`solution` with its function `entry` replaced by one whose results are nudged."""
    if not entry.isidentifier():
        raise ValueError(f"entry {entry!r} is not a Python identifier")
    helpers = "\n\n".join(inspect.getsource(function) for function in APPENDED)
    return f"{solution}\n\n\n{helpers}\n\n{entry} = _rewardd_break({entry})\n"
