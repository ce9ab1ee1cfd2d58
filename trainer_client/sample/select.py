"""Which of a prompt's graded completions are kept, and why each of the others is not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from trainer_client.client import RewardResult
from trainer_client.sample.keep import Condition, failed_conditions
from trainer_client.sample.output import normalized

# Rejection reasons besides the conditions of --keep.
UNGRADED = "ungraded"  # the service returned an error (timeout, bad reference, ...)
TRUNCATED = "truncated"  # cut off at --max_new_tokens
DUPLICATE = "duplicate"  # the same text as a completion already kept for this prompt
OVER_LIMIT = "max_per_prompt"  # passed, but the prompt already has --max_per_prompt samples


@dataclass(frozen=True)
class Candidate:
    text: str
    finished: bool
    result: RewardResult


@dataclass
class Verdict:
    candidate: Candidate
    reasons: list[str]  # empty: kept

    @property
    def kept(self) -> bool:
        return not self.reasons


@dataclass
class PromptHistory:
    """What has been kept for one prompt so far (this run and, on resume, before it)."""

    seen: set[str] = field(default_factory=set)  # normalized texts
    kept: int = 0


def rule_reasons(
    candidate: Candidate, conditions: Sequence[Condition], keep_truncated: bool
) -> list[str]:
    """Why a completion fails the rule on its own (every failed condition is named)."""
    result = candidate.result
    if not result.graded:
        return [UNGRADED]
    reasons = [] if candidate.finished or keep_truncated else [TRUNCATED]
    reasons += [str(c) for c in failed_conditions(conditions, result.reward, result.components)]
    return reasons


def select(
    candidates: Sequence[Candidate],
    history: PromptHistory,
    *,
    conditions: Sequence[Condition],
    max_per_prompt: int | None,
    keep_truncated: bool,
) -> list[Verdict]:
    """One verdict per candidate, in the candidates' order.

    Of the completions that meet the rule, the best rewarded are kept first (ties in sampling
    order), each text once, up to `max_per_prompt` for the prompt."""
    verdicts = [Verdict(c, rule_reasons(c, conditions, keep_truncated)) for c in candidates]
    passing = sorted(
        (v for v in verdicts if v.kept),
        key=lambda v: -(v.candidate.result.reward or 0.0),  # sorted() is stable: ties keep order
    )
    for verdict in passing:
        key = normalized(verdict.candidate.text)
        if key in history.seen:
            verdict.reasons.append(DUPLICATE)
        elif max_per_prompt is not None and history.kept >= max_per_prompt:
            verdict.reasons.append(OVER_LIMIT)
        else:
            history.seen.add(key)
            history.kept += 1
    return verdicts


@dataclass
class Summary:
    """What a run did. Per-reason counts overlap: a completion can fail several conditions."""

    prompts: int = 0  # prompts sampled in this run
    skipped: int = 0  # prompts already finished in the output (--resume)
    generated: int = 0
    kept: int = 0
    rejections: Counter[str] = field(default_factory=Counter)

    @property
    def rejected(self) -> int:
        return self.generated - self.kept

    def add(self, verdicts: Sequence[Verdict]) -> None:
        self.prompts += 1
        self.generated += len(verdicts)
        self.kept += sum(v.kept for v in verdicts)
        for verdict in verdicts:
            self.rejections.update(verdict.reasons)

    def to_dict(self) -> dict[str, object]:
        return {
            "prompts": self.prompts,
            "skipped": self.skipped,
            "generated": self.generated,
            "kept": self.kept,
            "rejected": self.rejected,
            "rejections": dict(self.rejections.most_common()),
        }

    def render(self) -> str:
        share = f" ({100 * self.kept / self.generated:.1f}%)" if self.generated else ""
        lines = [
            f"prompts:   {self.prompts}"
            + (f" (and {self.skipped} skipped, already in the output)" if self.skipped else ""),
            f"generated: {self.generated}",
            f"kept:      {self.kept}{share}",
            f"rejected:  {self.rejected}",
        ]
        if self.rejections:
            lines.append("rejections by reason (a completion may fail several conditions):")
            width = max(len(reason) for reason in self.rejections)
            for reason, count in self.rejections.most_common():
                lines.append(f"  {reason:<{width}}  {count}")
        return "\n".join(lines)
