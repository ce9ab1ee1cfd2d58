"""verl's code data (prime_code and sandbox_fusion scorers; its codecontests, apps, taco,
livecodebench preprocessing): `reward_model.ground_truth` holds, as an object or its JSON
text, `{"inputs": [...], "outputs": [...], "fn_name"?}`.

A record is the ground truth itself, or a whole verl row (`prompt` as a chat list,
`reward_model`, `extra_info`). The mapping is APPS's (apps.py): stdin/stdout without
`fn_name`, call-based with it. Call-based inputs are either lists of arguments (prime_code's
APPS harness; outputs wrapped as in APPS) or strings of one JSON value per line
(sandbox_fusion, LiveCodeBench's convention; outputs as JSON text), case by case. A null
stdin is empty, as sandbox_fusion sends it. No preamble: verl's harnesses add none that a
solution may rely on (prime_code's APPS `sol` is not documented for its data).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewardd.code_formats.apps import io_reference
from rewardd.code_formats.fields import Converted, FormatError, json_field, record_id

KEYS = ("inputs", "outputs")


def convert(record: Mapping[str, Any]) -> Converted:
    prompt = None
    truth: Any = record
    if "reward_model" in record:
        reward_model = record["reward_model"]
        if not isinstance(reward_model, Mapping):
            raise FormatError("reward_model must be an object with ground_truth")
        truth = json_field(reward_model, "ground_truth", "reward_model.")
        prompt = last_user_message(record.get("prompt"))
    if not isinstance(truth, Mapping):
        raise FormatError("ground_truth must be an object with inputs and outputs")
    where = "reward_model.ground_truth." if truth is not record else ""
    reference = io_reference(truth, where)
    extra = record.get("extra_info")
    index = extra.get("index") if isinstance(extra, Mapping) else None
    item_id = str(index) if isinstance(index, int | str) and not isinstance(index, bool) else None
    return Converted(reference=reference, prompt=prompt, id=item_id or record_id(record, "id"))


def last_user_message(prompt: Any) -> str | None:
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list):
        for message in reversed(prompt):
            if isinstance(message, Mapping) and message.get("role") == "user":
                content = message.get("content")
                return content if isinstance(content, str) else None
    return None
