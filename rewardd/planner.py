"""A batch's math verdicts, each distinct one computed once (issue 10).

A GRPO batch holds 16 samples per prompt with a handful of distinct final answers.  What an
item's math `accuracy` depends on is `math_accuracy.verdict_key(item)` (gold text and final
answer) and its prompt (an answer that repeats the question scores 0); the reasoning before
the answer does not matter.  So the planner reads every math item's key in one linear pass
(about 18 ms for a 1 MiB completion), sends ONE item per distinct key to the backend with
the weights {"accuracy": 1}, and fans the verdict (value, reason, details, error) out to
every item with that key.  The other components stay per item: an item that needs only
`accuracy` never goes to a worker; the others go, at the same time as the verdicts, with
just their text components (format, language, ...), and `cosine` and `length`, arithmetic
on the verdict, are joined here.  Workers return Scores (`grading.SCORES_KEY`), so the
joined result is what `grade_item` gives for the item alone, byte for byte.

Verdicts are cached across requests (GRPO revisits each prompt every epoch), keyed on all
they depend on; a verdict with an error (a spent CPU budget, a lost worker) is never cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from rewardd.cache import GRADING_VERSION, ResultCache
from rewardd.grading import SCORES_KEY, combine, failed_result, grading_input, score_of_fields
from rewardd.rewards.math_accuracy import verdict_key
from rewardd.rewards.registry import score_components
from rewardd.rewards.types import ItemError

ACCURACY = "accuracy"
# What a verdict is graded with: accuracy alone, so the one item sent does no other work.
VERDICT_WEIGHTS = {ACCURACY: 1.0}
# Components that read the accuracy verdict (registry: cosine and length call
# score_of("accuracy")).  With none of these weighted there is nothing to share.
READS_ACCURACY = frozenset({ACCURACY, "cosine", "length"})


@dataclasses.dataclass
class Plan:
    """Which items share a verdict, and which need a worker for their other components."""

    # Per item: the verdict key (a digest) of a math item whose accuracy is planned, or None.
    keys: list[str | None]
    # One item per distinct key whose verdict is not cached yet, by key.
    to_verify: dict[str, Mapping[str, Any]]

    def planned(self, position: int) -> bool:
        return self.keys[position] is not None


def verdict_digest(item: Mapping[str, Any]) -> str | None:
    """The key of a math item's accuracy verdict, or None for an item the planner leaves
    alone (code).  Equal digests give byte-identical accuracy scores."""
    graded = grading_input(item, needs_lang=False)
    if graded.task != "math":
        return None
    gold_text, answer = verdict_key(graded)
    content = [
        GRADING_VERSION,
        gold_text,
        repr(answer),  # a frozen dataclass of strings: its repr is its whole value
        graded.prompt,
        # No parameter of `accuracy` exists today (registry.PARAMETRISED); should one come,
        # it is part of the key.
        graded.params.get(ACCURACY),
    ]
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def plan_batch(
    items: list[Mapping[str, Any]], weights: Mapping[str, float], verdicts: ResultCache
) -> tuple[Plan, dict[str, dict[str, Any]]]:
    """The plan, and the verdicts already in `verdicts` (by key).  Linear in the text."""
    if not READS_ACCURACY & set(weights):
        return Plan([None] * len(items), {}), {}
    keys = [verdict_digest(item) for item in items]
    known: dict[str, dict[str, Any]] = {}
    to_verify: dict[str, Mapping[str, Any]] = {}
    for key, item in zip(keys, items, strict=True):
        if key is None or key in known or key in to_verify:
            continue
        cached = verdicts.get(key)
        if cached is not None:
            known[key] = cached
        else:
            to_verify[key] = item
    return Plan(keys, to_verify), known


def lone_verdicts(plan: Plan) -> dict[str, int]:
    """Keys to verify that only one item of the batch has, with that item's position: such an
    item goes to a worker once, with all its components, instead of once for its verdict and
    once for its text (with 16 distinct answers per prompt that halved the trips)."""
    positions: dict[str, int] = {}
    shared: set[str] = set()
    for position, key in enumerate(plan.keys):
        if key is None or key not in plan.to_verify:
            continue
        if key in positions:
            shared.add(key)
        positions[key] = position
    return {key: position for key, position in positions.items() if key not in shared}


def verdict_of(result: Mapping[str, Any]) -> dict[str, Any]:
    """The shared verdict inside a result graded with all its components (for_worker)."""
    if SCORES_KEY not in result:
        return dict(result)  # not graded at all: the result's error is the verdict's
    fields = result[SCORES_KEY][ACCURACY]
    return {"error": fields.get("error"), SCORES_KEY: {ACCURACY: fields}}


def text_components(weights: Mapping[str, float]) -> list[str]:
    """The weighted components that do not read the verdict: a worker computes them."""
    return [name for name in weights if name not in READS_ACCURACY]


def for_worker(item: Mapping[str, Any]) -> dict[str, Any]:
    """The item as the planner sends it: its result will carry each component's Score."""
    return {**item, SCORES_KEY: True}


def joined(
    item: Mapping[str, Any],
    weights: Mapping[str, float],
    verdict: Mapping[str, Any],
    text_result: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """An item's result from its shared verdict and its own text components' result (None
    when it has none): what grade_item gives for the item alone."""
    for graded in (verdict, text_result):
        if graded is not None and SCORES_KEY not in graded:
            # Not graded at all (wall-clock backstop, lost worker, passed deadline).
            return failed_result(item.get("id"), weights, ItemError(**graded["error"]))
    scores = {ACCURACY: score_of_fields(verdict[SCORES_KEY][ACCURACY])}
    if text_result is not None:
        scores.update(
            (name, score_of_fields(fields)) for name, fields in text_result[SCORES_KEY].items()
        )
    readers = [name for name in weights if name in READS_ACCURACY and name != ACCURACY]
    if readers:
        # cosine and length are arithmetic on the verdict and the item's token count.
        graded_input = grading_input(item, needs_lang=False)
        scores.update(score_components(graded_input, readers, known=scores))
    return combine(item.get("id"), {name: scores[name] for name in weights}, weights)
