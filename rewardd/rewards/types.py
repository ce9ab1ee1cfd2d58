"""The values every reward component takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Task = Literal["math", "code"]
# invalid_item is only for `rewardd grade`, where a bad line cannot be refused with a 422.
ErrorCode = Literal["timeout", "bad_reference", "sandbox_error", "internal", "invalid_item"]


@dataclass(frozen=True)
class GradingInput:
    """One completion to grade, already normalised from the wire format.

    `completion` is the plain text of the graded (last assistant) message.
    `completion_tokens` is the caller's token count, or a whitespace word count.
    `params` holds the request's component parameters (CONTRACT v2), already checked:
    {"cosine": {"max_len": 2048}}; a component absent from it uses its defaults.
    """

    completion: str
    task: Task = "math"
    reference: dict[str, Any] = field(default_factory=dict)
    prompt: str | None = None
    lang: str = "en"
    completion_tokens: int = 0
    params: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemError:
    code: ErrorCode
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Score:
    """A component's verdict: a value (None = not applicable / not verifiable) and why.

    `details` always carries a human-readable "reason"; components add their own keys
    (math: "extracted", "reference", "verdict").  `error` is set only when the item
    itself is at fault in a way the caller must see (for example an unparsable gold
    answer), and then `value` is None: an error never comes with an invented score.
    """

    value: float | None
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    error: ItemError | None = None

    def details_with_reason(self) -> dict[str, Any]:
        return {"reason": self.reason, **self.details}


def not_applicable(reason: str) -> Score:
    return Score(value=None, reason=reason)
