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
  tokens (`completion_ids`, which TRL passes, else a word count), as the service counts them.
- Parameters the service does not take are applied here to the service's verdicts: the cosine
  reward's values and `max_len`, the repetition penalty's scale and n-gram size, and the soft
  overlong punishment's limits. With open-r1's defaults the numbers come from the service as is.
- `code_reward` and friends run the cases in the service's sandbox; `num_parallel`,
  `provider_type` and `enforce_same_language` are accepted for compatibility.

The service's URL comes from REWARDD_URL (default http://127.0.0.1:8000), or `configure(url)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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


def _grade(items: list[dict[str, Any]], component: str) -> list[RewardResult]:
    return _shared_client().grade(items, weights={component: 1.0})


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


def _token_lengths(completions: Sequence[Any], kwargs: dict[str, Any]) -> list[int]:
    """Lengths as the service counts them: the token ids when given, else whitespace words."""
    if kwargs.get("completion_ids") is not None:
        return [len(ids) for ids in kwargs["completion_ids"]]
    return [len(completion_text(c).split()) for c in completions]


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


_COSINE_DEFAULTS = {
    "min_value_wrong": -1.0,
    "max_value_wrong": -0.5,
    "min_value_correct": 0.5,
    "max_value_correct": 1.0,
    "max_len": 1000,
}


def cosine_scaled(
    correct: bool,
    length: int,
    *,
    min_value_wrong: float,
    max_value_wrong: float,
    min_value_correct: float,
    max_value_correct: float,
    max_len: int,
) -> float:
    """open-r1's cosine schedule: short correct answers earn most, short wrong ones lose most."""
    cosine = math.cos(length / max_len * math.pi)
    if correct:
        low, high = min_value_correct, max_value_correct
    else:  # swapped, so that a longer wrong answer is punished less
        low, high = max_value_wrong, min_value_wrong
    return low + 0.5 * (high - low) * (1.0 + cosine)


def get_cosine_scaled_reward(
    min_value_wrong: float = -1.0,
    max_value_wrong: float = -0.5,
    min_value_correct: float = 0.5,
    max_value_correct: float = 1.0,
    max_len: int = 1000,
) -> RewardFunction:
    settings = {
        "min_value_wrong": min_value_wrong,
        "max_value_wrong": max_value_wrong,
        "min_value_correct": min_value_correct,
        "max_value_correct": max_value_correct,
        "max_len": max_len,
    }

    def cosine_scaled_reward(
        completions: Any, solution: list[str], **kwargs: Any
    ) -> list[float | None]:
        """Correctness scaled by length on a cosine schedule (lengths in tokens)."""
        if settings == _COSINE_DEFAULTS:
            return _component(
                completions, "cosine", kwargs, _math_references(solution), task="math"
            )
        results = _grade(
            _items(completions, kwargs, _math_references(solution), task="math"), "accuracy"
        )
        lengths = _token_lengths(completions, kwargs)
        rewards: list[float | None] = []
        for result, length in zip(results, lengths, strict=True):
            correct = result.component("accuracy")
            rewards.append(
                None if correct is None else cosine_scaled(correct == 1.0, length, **settings)
            )
        return rewards

    return cosine_scaled_reward


# ---- repetition and length penalties ----------------------------------------------------------

_SERVICE_NGRAM_SIZE = 3  # the service's repetition_penalty counts word 3-grams


def repetition_scaling(text: str, ngram_size: int) -> float:
    """The share of repeated word n-grams: 1 − distinct / total (0 for short texts)."""
    words = text.lower().split()
    if len(words) < ngram_size:
        return 0.0
    ngrams = list(zip(*[words[i:] for i in range(ngram_size)], strict=False))
    return 1 - len(set(ngrams)) / len(ngrams)


def get_repetition_penalty_reward(
    ngram_size: int, max_penalty: float, language: str = "en"
) -> RewardFunction:
    """Penalty for repeated n-grams (Appendix C.2 of arXiv:2502.03373), in [max_penalty, 0]."""
    if max_penalty > 0:
        raise ValueError(f"max_penalty {max_penalty} should not be positive")
    if language != "en":
        raise ValueError(
            f"Word splitting for language `{language}` is not implemented by the service; "
            "only `en` (white-space words) is."
        )

    def repetition_penalty_reward(completions: Any, **kwargs: Any) -> list[float | None]:
        if ngram_size != _SERVICE_NGRAM_SIZE:
            # The service counts 3-grams only; other sizes are the same formula, computed here.
            return [
                repetition_scaling(completion_text(c), ngram_size) * max_penalty
                for c in completions
            ]
        # The service's component is −scaling (a maximum penalty of −1): rescale it.
        penalties = _component(completions, "repetition_penalty", kwargs)
        return [None if p is None else -p * max_penalty + 0.0 for p in penalties]

    return repetition_penalty_reward


_SERVICE_OVERLONG = (16384, 4096)  # the service's soft_overlong max length and cache


def soft_overlong(length: int, max_completion_len: int, soft_punish_cache: int) -> float:
    """DAPO's Eq. 13: 0 up to max − cache, then linearly down to −1 at max, −1 beyond."""
    if length <= max_completion_len - soft_punish_cache:
        return 0.0
    if length <= max_completion_len:
        return (max_completion_len - soft_punish_cache - length) / soft_punish_cache
    return -1.0


def get_soft_overlong_punishment(max_completion_len: int, soft_punish_cache: int) -> RewardFunction:
    """Penalises overlong completions (DAPO), without rewarding short ones."""

    def soft_overlong_punishment_reward(
        completion_ids: list[list[int]], **kwargs: Any
    ) -> list[float | None]:
        lengths = [len(ids) for ids in completion_ids]
        if (max_completion_len, soft_punish_cache) != _SERVICE_OVERLONG:
            # The service's limits are fixed; other limits are the same formula, computed here.
            return [soft_overlong(n, max_completion_len, soft_punish_cache) for n in lengths]
        completions = kwargs.get("completions") or [""] * len(lengths)
        items = [
            {"completion": completion_text(c), "completion_tokens": n}
            for c, n in zip(completions, lengths, strict=True)
        ]
        return [result.component("soft_overlong") for result in _grade(items, "soft_overlong")]

    return soft_overlong_punishment_reward


# ---- code -------------------------------------------------------------------------------------


def _code_references(verification_info: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    references = []
    for info in verification_info:
        reference: dict[str, Any] = {"language": info.get("language", "python")}
        for key in ("test_cases", "tests", "fn_name"):
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


__all__ = [
    "accuracy_reward",
    "binary_code_reward",
    "code_reward",
    "configure",
    "format_reward",
    "get_code_format_reward",
    "get_cosine_scaled_reward",
    "get_repetition_penalty_reward",
    "get_soft_overlong_punishment",
    "len_reward",
    "reasoning_steps_reward",
    "tag_count_reward",
]
