"""open-r1's reward functions, computed by a rewardd service.

Drop-in replacements for `open_r1.rewards` (huggingface/open-r1, src/open_r1/rewards.py): the
same names, signatures and return conventions, usable directly as TRL `GRPOTrainer` reward
functions:

    from trainer_client.rewards import accuracy_reward, format_reward
    trainer = GRPOTrainer(model=..., reward_funcs=[accuracy_reward, format_reward], ...)

Each function asks the service for the component of the same meaning (with weights
`{component: 1.0}`) and returns `results[i].components[component]`. `None` means the service
could not grade that item or the component does not apply; TRL skips `None` rewards.

Where the two differ:
- Grading follows CONTRACT.md, not open-r1's regexes: `format` accepts any white space around
  the blocks (open-r1 wants newlines), and the answer is read from the `<answer>` block.
- Lengths for `len_reward` are characters, as in open-r1; lengths for the cosine reward are
  tokens when TRL passes `completion_ids`, else characters, as in open-r1.
- Parameters (the cosine reward's values and `max_len`, the repetition penalty's n-gram size and
  scale, the overlong punishment's limits) travel to the service as CONTRACT v2 `params`; every
  formula is computed there, once. A service that does not take `params` refuses other than its
  default values with a RewardServiceError rather than ignoring them.
- `len_reward` is Kimi 1.5's batch-relative formula on the service's accuracy verdicts: the
  service has no batch-relative length component yet.
- `efficiency_reward` (rewardd's own, not open-r1's) scores correct code by its CPU cost within
  its group, the samples of one prompt; TRL passes them together in one call.
- `code_reward` and friends run the cases in the service's sandbox; `num_parallel`,
  `provider_type` and `enforce_same_language` are accepted for compatibility.

The service's URL comes from REWARDD_URL (default http://127.0.0.1:8000), or `configure(url)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial, update_wrapper
from typing import Any

from trainer_client.client import RewardClient, RewardResult

RewardFunction = Callable[..., list[float | None]]

_client: RewardClient | None = None


def configure(url: str | None = None, **client_options: Any) -> RewardClient:
    """Point the reward functions at a service (default: $REWARDD_URL). Returns the client."""
    global _client
    if _client is not None:
        _client.close()
    _client = RewardClient(url, **client_options)
    return _client


def _shared_client() -> RewardClient:
    return _client if _client is not None else configure()


# ---- turning TRL's arguments into service items ---------------------------------------------


def completion_text(completion: Any) -> str:
    """A plain-text completion, or the last assistant message of a conversational one."""
    if isinstance(completion, str):
        return completion
    messages = [m for m in completion if m.get("role", "assistant") == "assistant"]
    return str((messages or completion)[-1]["content"])


def _prompt_text(prompt: Any) -> str | None:
    if prompt is None or isinstance(prompt, str):
        return prompt
    user = [m for m in prompt if m.get("role") == "user"]
    return str((user or prompt)[-1]["content"]) if prompt else None


def _items(
    completions: Sequence[Any],
    kwargs: dict[str, Any],
    references: Sequence[dict[str, Any]] | None = None,
    task: str | None = None,
) -> list[dict[str, Any]]:
    prompts = kwargs.get("prompts") or [None] * len(completions)
    completion_ids = kwargs.get("completion_ids")
    items = []
    for index, completion in enumerate(completions):
        item: dict[str, Any] = {
            "completion": completion_text(completion),
            "reference": references[index] if references is not None else {},
        }
        prompt = _prompt_text(prompts[index])
        if prompt is not None:
            item["prompt"] = prompt
        if task is not None:
            item["task"] = task
        if completion_ids is not None:
            item["completion_tokens"] = len(completion_ids[index])
        items.append(item)
    return items


def _grade(
    items: list[dict[str, Any]], component: str, params: dict[str, Any] | None = None
) -> list[RewardResult]:
    return _shared_client().grade(items, weights={component: 1.0}, params=params or None)


def _component(
    completions: Sequence[Any],
    component: str,
    kwargs: dict[str, Any],
    references: Sequence[dict[str, Any]] | None = None,
    task: str | None = None,
) -> list[float | None]:
    results = _grade(_items(completions, kwargs, references, task), component)
    return [result.component(component) for result in results]


def _math_references(solution: Sequence[str]) -> list[dict[str, Any]]:
    return [{"answer": str(answer)} for answer in solution]


# ---- math and format ------------------------------------------------------------------------


def accuracy_reward(
    completions: list[list[dict[str, str]]], solution: list[str], **kwargs: Any
) -> list[float | None]:
    """1.0 when the final answer equals the gold `solution`, 0.0 if not, None if unverifiable."""
    return _component(completions, "accuracy", kwargs, _math_references(solution), task="math")


def format_reward(completions: Any, **kwargs: Any) -> list[float | None]:
    """1.0 for exactly one <think>…</think> followed by one <answer>…</answer>, else 0.0."""
    return _component(completions, "format", kwargs)


def tag_count_reward(completions: Any, **kwargs: Any) -> list[float | None]:
    """0.25 for each of <think>, </think>, <answer>, </answer> that appears exactly once."""
    return _component(completions, "tag_count", kwargs)


def reasoning_steps_reward(completions: Any, **kwargs: Any) -> list[float | None]:
    """min(1, steps / 3), counting step markers ("Step 1:", "1.", bullets, "First,", ...)."""
    return _component(completions, "reasoning_steps", kwargs)


def len_reward(
    completions: list[dict[str, str]], solution: list[str], **kwargs: Any
) -> list[float | None]:
    """Kimi 1.5's length reward, relative to the batch: λ = 0.5 − (len − min) / (max − min);
    λ for a correct answer, min(0, λ) for a wrong one, 0.0 for all when all lengths are equal.
    Correctness comes from the service; None where it could not be decided."""
    results = _grade(
        _items(completions, kwargs, _math_references(solution), task="math"), "accuracy"
    )
    correctness = [result.component("accuracy") for result in results]
    lengths = [len(completion_text(c)) for c in completions]
    shortest, longest = min(lengths), max(lengths)
    if shortest == longest:
        return [0.0] * len(completions)
    rewards: list[float | None] = []
    for length, correct in zip(lengths, correctness, strict=True):
        lam = 0.5 - (length - shortest) / (longest - shortest)
        if correct is None:
            rewards.append(None)
        else:
            rewards.append(float(lam if correct == 1.0 else min(0.0, lam)))
    return rewards


# The service's defaults for the parametrised components (CONTRACT.md: open-r1's defaults for
# cosine, 3-grams at most -1 for repetition, DAPO's 16384/4096 for overlong). Parameters equal to
# them are not sent, so these functions work with a service that predates `params`.
_SERVICE_DEFAULTS: dict[str, dict[str, Any]] = {
    "cosine": {
        "min_value_wrong": -1.0,
        "max_value_wrong": -0.5,
        "min_value_correct": 0.5,
        "max_value_correct": 1.0,
        "max_len": 1000,
    },
    "repetition_penalty": {"ngram_size": 3, "max_penalty": -1.0},
    "soft_overlong": {"max_completion_len": 16384, "soft_punish_cache": 4096},
}


def component_params(component: str, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """CONTRACT v2 `params` for one component: empty when the values are the service's defaults.

    The formula is the service's; these functions only carry its parameters."""
    if values == _SERVICE_DEFAULTS[component]:
        return {}
    return {component: values}


def _character_lengths(items: list[dict[str, Any]], kwargs: dict[str, Any]) -> None:
    """Without token ids, lengths are characters, as open-r1 counts them."""
    if kwargs.get("completion_ids") is None:
        for item in items:
            item["completion_tokens"] = len(item["completion"])


def get_cosine_scaled_reward(
    min_value_wrong: float = -1.0,
    max_value_wrong: float = -0.5,
    min_value_correct: float = 0.5,
    max_value_correct: float = 1.0,
    max_len: int = 1000,
) -> RewardFunction:
    params = component_params(
        "cosine",
        {
            "min_value_wrong": min_value_wrong,
            "max_value_wrong": max_value_wrong,
            "min_value_correct": min_value_correct,
            "max_value_correct": max_value_correct,
            "max_len": max_len,
        },
    )

    def cosine_scaled_reward(
        completions: Any, solution: list[str], **kwargs: Any
    ) -> list[float | None]:
        """Correctness scaled by length on a cosine schedule: lengths are tokens when TRL passes
        `completion_ids`, else characters; beyond `max_len` they count as `max_len`."""
        items = _items(completions, kwargs, _math_references(solution), task="math")
        _character_lengths(items, kwargs)
        results = _grade(items, "cosine", params)
        return [result.component("cosine") for result in results]

    return cosine_scaled_reward


# ---- repetition and length penalties ----------------------------------------------------------


def get_repetition_penalty_reward(
    ngram_size: int, max_penalty: float, language: str = "en"
) -> RewardFunction:
    """Penalty for repeated n-grams (Appendix C.2 of arXiv:2502.03373), in [max_penalty, 0]."""
    if max_penalty > 0:
        raise ValueError(f"max_penalty {max_penalty} should not be positive")
    if language != "en":
        # open-r1 splits Chinese with jieba; the service splits words at white space only.
        raise ValueError(
            f"Word splitting for language `{language}` is not implemented by the service; "
            "only `en` (white-space words) is. See docs/trainer.md."
        )
    params = component_params(
        "repetition_penalty", {"ngram_size": ngram_size, "max_penalty": max_penalty}
    )

    def repetition_penalty_reward(completions: Any, **kwargs: Any) -> list[float | None]:
        results = _grade(_items(completions, kwargs), "repetition_penalty", params)
        return [result.component("repetition_penalty") for result in results]

    return repetition_penalty_reward


def get_soft_overlong_punishment(max_completion_len: int, soft_punish_cache: int) -> RewardFunction:
    """Penalises overlong completions (DAPO), without rewarding short ones."""
    params = component_params(
        "soft_overlong",
        {"max_completion_len": max_completion_len, "soft_punish_cache": soft_punish_cache},
    )

    def soft_overlong_punishment_reward(
        completion_ids: list[list[int]], **kwargs: Any
    ) -> list[float | None]:
        completions = kwargs.get("completions") or [""] * len(completion_ids)
        items = [
            {"completion": completion_text(c), "completion_tokens": len(ids)}
            for c, ids in zip(completions, completion_ids, strict=True)
        ]
        results = _grade(items, "soft_overlong", params)
        return [result.component("soft_overlong") for result in results]

    return soft_overlong_punishment_reward


# ---- code -------------------------------------------------------------------------------------


# The reference keys a `verification_info` row may carry to the service.
_CODE_KEYS = ("test_cases", "tests", "fn_name")
# What the efficiency reward reads besides: the timed cases and a baseline solution.
_EFFICIENCY_KEYS = ("perf_cases", "reference_solution")


def _code_references(
    verification_info: Sequence[dict[str, Any]], keys: Sequence[str] = _CODE_KEYS
) -> list[dict[str, Any]]:
    references = []
    for info in verification_info:
        reference: dict[str, Any] = {"language": info.get("language", "python")}
        for key in keys:
            if info.get(key) is not None:
                reference[key] = info[key]
        references.append(reference)
    return references


def _check_same_language(verification_info: Sequence[dict[str, Any]]) -> None:
    languages = {info.get("language", "python") for info in verification_info}
    if len(languages) > 1:
        raise ValueError("All verification_info must have the same language", verification_info)


def code_reward(
    completions: Any,
    num_parallel: int = 2,
    provider_type: str = "e2b",
    enforce_same_language: bool = False,
    **kwargs: Any,
) -> list[float | None]:
    """The share of test cases passed by the last code block of the answer, run in the
    service's sandbox. `verification_info[i]` holds `test_cases` (and `language`)."""
    verification_info = kwargs["verification_info"]
    if enforce_same_language:
        _check_same_language(verification_info)
    references = _code_references(verification_info)
    return _component(completions, "code", kwargs, references, task="code")


def binary_code_reward(
    completions: Any,
    num_parallel: int = 2,
    provider_type: str = "e2b",
    enforce_same_language: bool = False,
    **kwargs: Any,
) -> list[float | None]:
    """1.0 when every test case passes, else 0.0."""
    verification_info = kwargs["verification_info"]
    if enforce_same_language:
        _check_same_language(verification_info)
    references = _code_references(verification_info)
    return _component(completions, "binary_code", kwargs, references, task="code")


def efficiency_reward(
    completions: Any,
    num_parallel: int = 2,
    provider_type: str = "e2b",
    enforce_same_language: bool = False,
    **kwargs: Any,
) -> list[float | None]:
    """rewardd's `efficiency` (CONTRACT v2; not in open-r1): 0 unless every case passes, 1 for
    the cheapest passing sample of its group (the samples of one prompt), less for costlier
    ones by the ratio of their CPU cost, with a dead band for measurement noise; against
    `verification_info[i]["reference_solution"]` instead when there is one. The cost is
    measured on `verification_info[i]["perf_cases"]` when given, else on the test cases.

    TRL passes the whole batch, every prompt's samples together: one request, so each group
    is whole; the service groups the items by prompt (and reference). Every number is
    computed there, none here."""
    verification_info = kwargs["verification_info"]
    if enforce_same_language:
        _check_same_language(verification_info)
    references = _code_references(verification_info, _CODE_KEYS + _EFFICIENCY_KEYS)
    return _component(completions, "efficiency", kwargs, references, task="code")


def get_code_format_reward(language: str = "python") -> RewardFunction:
    """1.0 when the <answer> block holds a fenced code block of the language, else 0.0."""

    def code_format_reward(completions: Any, **kwargs: Any) -> list[float | None]:
        # A `language` column overrides the default, for mixed-language training.
        languages = kwargs.get("language") or [language] * len(completions)
        infos = kwargs.get("verification_info") or [{} for _ in completions]
        references = [
            {**reference, "language": lang}
            for reference, lang in zip(_code_references(infos), languages, strict=True)
        ]
        return _component(completions, "code_format", kwargs, references, task="code")

    return code_format_reward


# ---- open-r1's registry ---------------------------------------------------------------------

# open-r1's GRPOScriptArguments defaults, for script arguments that lack a field.
_SCRIPT_DEFAULTS: dict[str, Any] = {
    "cosine_min_value_wrong": 0.0,
    "cosine_max_value_wrong": -0.5,
    "cosine_min_value_correct": 0.5,
    "cosine_max_value_correct": 1.0,
    "cosine_max_len": 1000,
    "repetition_n_grams": 3,
    "repetition_max_penalty": -1.0,
    "code_language": "python",
    "max_completion_len": 16384,
    "soft_punish_cache": 4096,
    "enforce_same_language": False,
}


def _with_options(function: RewardFunction, **options: Any) -> RewardFunction:
    """`function` with some keyword arguments fixed, keeping its name (TRL logs by name)."""
    return update_wrapper(partial(function, **options), function)


def get_reward_funcs(script_args: Any) -> list[RewardFunction]:
    """open-r1's `get_reward_funcs`: the reward functions named in `script_args.reward_funcs`,
    configured from the same script arguments (open-r1's `GRPOScriptArguments`), so that
    open-r1's `grpo.py` runs on the service with its imports pointed here.

    `ioi_code` and `cf_code` (IOI and Codeforces subtask scoring) are not in the service."""

    def option(name: str) -> Any:
        return getattr(script_args, name, _SCRIPT_DEFAULTS[name])

    factories: dict[str, Callable[[], RewardFunction]] = {
        "accuracy": lambda: accuracy_reward,
        "format": lambda: format_reward,
        "reasoning_steps": lambda: reasoning_steps_reward,
        "cosine": lambda: get_cosine_scaled_reward(
            min_value_wrong=option("cosine_min_value_wrong"),
            max_value_wrong=option("cosine_max_value_wrong"),
            min_value_correct=option("cosine_min_value_correct"),
            max_value_correct=option("cosine_max_value_correct"),
            max_len=option("cosine_max_len"),
        ),
        "repetition_penalty": lambda: get_repetition_penalty_reward(
            ngram_size=option("repetition_n_grams"), max_penalty=option("repetition_max_penalty")
        ),
        "length": lambda: len_reward,
        "code": lambda: _with_options(
            code_reward, enforce_same_language=option("enforce_same_language")
        ),
        "binary_code": lambda: _with_options(
            binary_code_reward, enforce_same_language=option("enforce_same_language")
        ),
        "efficiency": lambda: _with_options(
            efficiency_reward, enforce_same_language=option("enforce_same_language")
        ),
        "code_format": lambda: get_code_format_reward(language=option("code_language")),
        "tag_count": lambda: tag_count_reward,
        "soft_overlong_punishment": lambda: get_soft_overlong_punishment(
            max_completion_len=option("max_completion_len"),
            soft_punish_cache=option("soft_punish_cache"),
        ),
    }
    unknown = [name for name in script_args.reward_funcs if name not in factories]
    if unknown:
        raise ValueError(
            f"reward function(s) {unknown} are not computed by rewardd; "
            f"available: {', '.join(factories)}"
        )
    return [factories[name]() for name in script_args.reward_funcs]


__all__ = [
    "accuracy_reward",
    "binary_code_reward",
    "code_reward",
    "configure",
    "efficiency_reward",
    "format_reward",
    "get_code_format_reward",
    "get_cosine_scaled_reward",
    "get_repetition_penalty_reward",
    "get_reward_funcs",
    "get_soft_overlong_punishment",
    "len_reward",
    "reasoning_steps_reward",
    "tag_count_reward",
]
