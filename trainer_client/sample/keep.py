"""`--keep`: the rule a graded completion must meet to be kept.

A rule is a comma-separated list of conditions, all of which must hold:

    accuracy>=1,format>=1,language>=0.95

Each condition is `NAME OP NUMBER`:
- NAME is a component the service returns (`accuracy`, `format`, `language`, `tag_count`, ...)
  or `reward`, the weighted sum;
- OP is one of `>=`, `>`, `<=`, `<`, `==`, `!=`;
- NUMBER is a decimal number (`1`, `0.95`, `-0.5`, `1e-3`).

A null value (the component does not apply, or could not be verified) fails every condition on
it: rejection sampling keeps only what was verified. An empty rule (`""` or `none`) keeps every
graded completion.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
REWARD = "reward"  # the weighted sum, usable in a rule like any component

# Longer operators first, so that ">=" is never read as ">" followed by "=1".
_CONDITION = re.compile(
    r"\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|==|!=|>|<)\s*(?P<number>[^\s,<>=!]+)\s*"
)
EXAMPLE = "accuracy>=1,format>=1,language>=0.95"


class KeepRuleError(ValueError):
    """A --keep rule that cannot be read; the message says what is wrong and how to write it."""


@dataclass(frozen=True)
class Condition:
    name: str
    op: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.threshold:g}"

    def holds(self, value: float | None) -> bool:
        if value is None or math.isnan(value):
            return False
        return OPERATORS[self.op](value, self.threshold)


def parse_keep(text: str | None) -> tuple[Condition, ...]:
    """The conditions of a --keep rule, in the order written."""
    if text is None or text.strip().lower() in ("", "none"):
        return ()
    parts = text.split(",")
    conditions = []
    for number, part in enumerate(parts, start=1):
        where = f"condition {number} of {len(parts)}, {part.strip()!r}"
        match = _CONDITION.fullmatch(part)
        if match is None:
            raise KeepRuleError(
                f"--keep {text!r}: cannot read {where}. Write NAME OP NUMBER, with OP one of "
                f"{', '.join(OPERATORS)}, and join conditions with commas; for example "
                f"--keep {EXAMPLE!r}"
            )
        try:
            threshold = float(match["number"])
        except ValueError:
            threshold = math.nan
        if not math.isfinite(threshold):
            raise KeepRuleError(
                f"--keep {text!r}: {where}: {match['number']!r} is not a finite number"
            )
        conditions.append(Condition(match["name"], match["op"], threshold))
    return tuple(conditions)


def failed_conditions(
    conditions: Iterable[Condition],
    reward: float | None,
    components: Mapping[str, float | None],
) -> list[Condition]:
    """The conditions that a graded completion does not meet (empty: keep it)."""
    failed = []
    for condition in conditions:
        value = reward if condition.name == REWARD else components.get(condition.name)
        if not condition.holds(None if value is None else float(value)):
            failed.append(condition)
    return failed


def unknown_names(conditions: Iterable[Condition], computed: Iterable[str]) -> list[str]:
    """The names a rule uses that the service will not compute under the chosen recipe: a rule
    on them could never hold, so the run would keep nothing."""
    available = {*computed, REWARD}
    return sorted({c.name for c in conditions if c.name not in available})
