"""verl custom reward functions backed by a rewardd service (checked against verl 0.9.1).

verl 0.9.1's `main_ppo` reads the function from `reward.custom_reward_function` (a top-level
`custom_reward_function` is a legacy key that `main_ppo` ignores without a word, falling back to
verl's own scorer):

    python -m verl.trainer.main_ppo ... \\
      reward.custom_reward_function.path=$(python -m trainer_client.verl) \\
      reward.custom_reward_function.name=compute_score_async \\
      +reward.custom_reward_function.reward_kwargs.recipe=r1-zero

(`python -m trainer_client.verl` prints this file's path.)

- `compute_score` is the per-item function every reward manager of verl's reward loop calls
  (`naive`, `dapo`, ...), in a thread.
- `compute_score_async` is the same as a coroutine: the reward loop awaits it on its event loop,
  so the requests of many responses are in flight at once instead of one thread each.

verl 0.9.1's reward loop has no `batch` manager, so there is no batch function here.

Both return `{"score": reward, <component>: value, ..., "ungraded": 0.0 or 1.0}`; verl logs
every key but `score` as `reward_extra_info`. verl needs numbers, so an item the service could not
grade scores 0.0, with `ungraded` 1.0 and a warning in the log.

`ground_truth` is a math answer, a code reference (`tests` / `test_cases`, as a dict or JSON
text), or verl's own code ground truth `{"inputs": [...], "outputs": [...], "fn_name"?}`
(prime_code, sandbox_fusion; codecontests, apps, taco data), which is sent as a
`{"format": "verl", ...}` reference for the service to convert. `extra_info` may carry `question`
(verl's gsm8k and math preprocessing) or `prompt`, for the target language, and `lang` / `task`.
The URL comes from REWARDD_URL (default http://127.0.0.1:8000), or the `url` reward kwarg.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from trainer_client.client import RewardClient, RewardResult

log = logging.getLogger("trainer_client.verl")

_clients: dict[str | None, RewardClient] = {}


def _client(url: str | None) -> RewardClient:
    if url not in _clients:
        _clients[url] = RewardClient(url)
    return _clients[url]


def _json_object(text: str) -> dict[str, Any] | None:
    if not text.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def reference_of(ground_truth: Any) -> dict[str, Any]:
    """A CONTRACT reference from verl's ground_truth."""
    if isinstance(ground_truth, Mapping):
        truth: dict[str, Any] | None = dict(ground_truth)
    else:
        truth = _json_object(str(ground_truth))
    if truth is None:
        return {"answer": str(ground_truth)}
    if "inputs" in truth and "outputs" in truth and "test_cases" not in truth:
        # verl's own code ground truth: the service converts it (rewardd.code_formats.verl),
        # so the mapping exists once, next to the other dataset formats.
        return {"format": "verl", **truth}
    return truth


def _item(solution_str: str, ground_truth: Any, extra_info: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"completion": solution_str, "reference": reference_of(ground_truth)}
    if isinstance(extra_info, Mapping):
        # verl's gsm8k / math preprocessing keeps the question as `question`; ours as `prompt`.
        for key in ("question", "prompt"):
            if isinstance(extra_info.get(key), str):
                item["prompt"] = extra_info[key]
                break
        for key in ("lang", "task"):
            if isinstance(extra_info.get(key), str):
                item[key] = extra_info[key]
    return item


def score_of(result: RewardResult) -> dict[str, float]:
    """verl's result dict: the reward as `score`, each component, and `ungraded`."""
    if not result.graded:
        log.warning("rewardd could not grade an item (%s); scoring it 0.0", result.error)
    scores = {"score": 0.0 if result.reward is None else result.reward}
    for name, value in result.components.items():
        scores[name] = 0.0 if value is None else float(value)
    scores["ungraded"] = 0.0 if result.graded else 1.0
    return scores


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Any = None,
    *,
    recipe: str | None = None,
    weights: Mapping[str, float] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    url: str | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """verl's custom reward function: the service's reward for one response, with components."""
    item = _item(solution_str, ground_truth, extra_info)
    result = _client(url).grade([item], recipe=recipe, weights=weights, params=params)[0]
    return score_of(result)


async def compute_score_async(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Any = None,
    *,
    recipe: str | None = None,
    weights: Mapping[str, float] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    url: str | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """`compute_score` as a coroutine, for verl's reward loop to await."""
    item = _item(solution_str, ground_truth, extra_info)
    results = await _client(url).agrade([item], recipe=recipe, weights=weights, params=params)
    return score_of(results[0])


if __name__ == "__main__":
    print(__file__)
