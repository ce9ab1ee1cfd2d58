"""Step-by-step structure: open-r1's reasoning_steps_reward."""

from __future__ import annotations

import re

from rewardd.rewards.types import GradingInput, Score

# open-r1's pattern, compiled like theirs without re.MULTILINE: `^\d+\.` therefore
# matches only a numbered item at the very start of the completion, while bullets
# are caught by "\n-" and "\n*".  Kept as is so scores equal open-r1's.
STEP_MARKERS = re.compile(r"(Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,)")
STEPS_FOR_FULL_CREDIT = 3


def reasoning_steps(item: GradingInput) -> Score:
    """min(1, steps / 3), counting open-r1's step markers in the whole completion."""
    markers = STEP_MARKERS.findall(item.completion)
    value = min(1.0, len(markers) / STEPS_FOR_FULL_CREDIT)
    reason = (
        f"{len(markers)} step marker{'s' if len(markers) != 1 else ''} found; "
        f"{STEPS_FOR_FULL_CREDIT} or more earn full credit."
    )
    return Score(value, reason, {"steps": len(markers), "markers": [m.strip() for m in markers]})
