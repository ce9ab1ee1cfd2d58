"""A verl custom reward function backed by a rewardd service.

In the verl config (`python -c "import trainer_client.verl as m; print(m.__file__)"` prints
the path):

    custom_reward_function:
      path: /path/to/trainer_client/verl.py
      name: compute_score            # or compute_score_batch with reward_model.reward_manager=batch
      reward_kwargs:                 # optional, passed through by verl
        recipe: r1-zero
        weights: {accuracy: 1.0}

`ground_truth` is a math answer, a code reference dict (`tests` / `test_cases`), or that dict as
JSON text. The URL comes from REWARDD_URL (default http://127.0.0.1:8000), or `url=`.

verl needs a number for every response, so an item the service could not grade scores 0.0 here
(unlike `trainer_client.rewards`, which returns None); each such item is logged as a warning.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from trainer_client.client import RewardClient

log = logging.getLogger("trainer_client.verl")

_clients: dict[str | None, RewardClient] = {}


def _client(url: str | None) -> RewardClient:
    if url not in _clients:
        _clients[url] = RewardClient(url)
    return _clients[url]


def reference_of(ground_truth: Any) -> dict[str, Any]:
    """A CONTRACT reference from verl's ground_truth."""
    if isinstance(ground_truth, Mapping):
        return dict(ground_truth)
    text = str(ground_truth)
    if text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    return {"answer": text}


def _item(solution_str: str, ground_truth: Any, extra_info: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"completion": solution_str, "reference": reference_of(ground_truth)}
    if isinstance(extra_info, Mapping):
        for key in ("prompt", "lang", "task"):
            if isinstance(extra_info.get(key), str):
                item[key] = extra_info[key]
    return item


def compute_scores(
    items: Sequence[dict[str, Any]],
    *,
    recipe: str | None = None,
    weights: Mapping[str, float] | None = None,
    url: str | None = None,
) -> list[float]:
    results = _client(url).grade(items, recipe=recipe, weights=weights)
    scores = []
    for result in results:
        if result.reward is None:
            log.warning("rewardd could not grade an item (%s); scoring it 0.0", result.error)
        scores.append(0.0 if result.reward is None else result.reward)
    return scores


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Any = None,
    *,
    recipe: str | None = None,
    weights: Mapping[str, float] | None = None,
    url: str | None = None,
    **kwargs: Any,
) -> float:
    """verl's custom reward function: the service's reward for one response."""
    item = _item(solution_str, ground_truth, extra_info)
    return compute_scores([item], recipe=recipe, weights=weights, url=url)[0]


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Any] | None = None,
    *,
    recipe: str | None = None,
    weights: Mapping[str, float] | None = None,
    url: str | None = None,
    **kwargs: Any,
) -> list[float]:
    """For verl's batch reward manager: one HTTP request for the whole batch."""
    extra_infos = extra_infos if extra_infos is not None else [None] * len(solution_strs)
    items = [
        _item(solution, truth, extra)
        for solution, truth, extra in zip(solution_strs, ground_truths, extra_infos, strict=True)
    ]
    return compute_scores(items, recipe=recipe, weights=weights, url=url)
