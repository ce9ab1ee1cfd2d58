"""SFT rows: prompt/completion records, tokenized as the samplers see them.

The prompt is put in the same template, and tokenized the same way (no special tokens added), as
`trainer_client.grpo` and `trainer_client.sample` do before they generate; the completion is
tokenized on its own and ends with EOS. So the model learns exactly the token sequence it will
be asked to continue, with no merge across the prompt/completion boundary, and learns to stop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trainer_client.grpo.data import format_prompt


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    completion_mask: list[int]  # 1 on the tokens that carry the loss: the completion and EOS

    @property
    def prompt_length(self) -> int:
        return self.completion_mask.index(1)


def completion_text(value: Any, where: str) -> str:
    """A completion given as a string, or as a chat list whose last assistant message counts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for message in reversed(value):
            if isinstance(message, Mapping) and message.get("role") == "assistant":
                return str(message.get("content", ""))
    raise ValueError(f"{where}: the completion must be a string or a chat list with an assistant")


def encode(tokenizer: Any, prompt_text: str, completion: str) -> Encoded:
    """One row: [prompt tokens | completion tokens, EOS], with the loss on the second part."""
    eos = tokenizer.eos_token
    if eos and completion.endswith(eos):  # already there: do not learn a double stop
        completion = completion[: -len(eos)]
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    completion_ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
    completion_ids = [*completion_ids, tokenizer.eos_token_id]
    return Encoded(
        input_ids=[*prompt_ids, *completion_ids],
        completion_mask=[0] * len(prompt_ids) + [1] * len(completion_ids),
    )


def encode_records(
    records: Iterable[Mapping[str, Any]],
    tokenizer: Any,
    *,
    template: str,
    prompt_field: str = "prompt",
    completion_field: str = "completion",
) -> list[Encoded]:
    rows = []
    for number, record in enumerate(records, start=1):
        where = f"row {number}"
        missing = [name for name in (prompt_field, completion_field) if name not in record]
        if missing:
            raise ValueError(f"{where} has no {' or '.join(map(repr, missing))} field")
        completion = completion_text(record[completion_field], where)
        if not completion.strip():
            raise ValueError(f"{where}: the completion is empty")
        prompt_text = format_prompt(str(record[prompt_field]), template, tokenizer)
        rows.append(encode(tokenizer, prompt_text, completion))
    if not rows:
        raise ValueError("no rows to train on")
    return rows
