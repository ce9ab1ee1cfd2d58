"""Group components (CONTRACT v2 `group`): scores relative to the other items of a group.

A group is the items of one request with the same `group`, or, for items without one, the
same prompt and reference (the samples of one prompt).  Items are graded (and cached) one
by one as usual; this step then runs in the API process, after the whole request is graded,
so that embedded and distributed modes give the same figures.  A group split over two
requests is two groups: each request is scored on its own items only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rewardd.grading import weighted_reward
from rewardd.rewards.registry import GROUP_COMPONENTS


def group_of(item: Mapping[str, Any]) -> str:
    """The item's group key; explicit groups and default ones cannot collide."""
    if item.get("group") is not None:
        return json.dumps(["group", item["group"]], ensure_ascii=False)
    prompt_and_reference = ["default", item.get("prompt"), item.get("reference") or {}]
    return json.dumps(prompt_and_reference, sort_keys=True, ensure_ascii=False)


def score_groups(
    items: list[Mapping[str, Any]], results: list[dict[str, Any]], weights: Mapping[str, float]
) -> list[dict[str, Any]]:
    """`results` with the group components filled in and the rewards summed again.

    The results are copied, never changed in place: they may be the cache's own entries.
    """
    names = [name for name in weights if name in GROUP_COMPONENTS]
    if not names:
        return results
    scored = [
        {**result, "components": dict(result["components"]), "details": dict(result["details"])}
        for result in results
    ]
    members: dict[str, list[int]] = {}
    for position, item in enumerate(items):
        members.setdefault(group_of(item), []).append(position)
    for positions in members.values():
        completions = [items[position]["completion"] for position in positions]
        for name in names:
            steps = [scored[position]["details"].get(name) or {} for position in positions]
            for position, score in zip(
                positions, GROUP_COMPONENTS[name](completions, steps), strict=True
            ):
                scored[position]["components"][name] = score.value
                scored[position]["details"][name] = score.details_with_reason()
    for result in scored:
        result["reward"] = weighted_reward(result["components"], weights)
    return scored
