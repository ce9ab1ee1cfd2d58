"""OpenRLHF's remote reward protocol (`--remote_rm_url http://host:8000/get_reward`)."""

from __future__ import annotations

import json
import re
from typing import Any

# Trailing special tokens that chat templates leave on a decoded sequence.
_TRAILING_SPECIALS = re.compile(
    r"(?:\s*(?:<\|im_end\|>|<\|endoftext\|>|<\|eot_id\|>|<\|end\|>|</s>|<eos>|<\|end_of_text\|>|"
    r"<end_of_turn>|<｜end▁of▁sentence｜>))+\s*$"
)


def completion_of(query: str, prompt: str | None) -> str:
    """The completion inside an OpenRLHF query: the prompt prefix and end tokens removed."""
    if prompt and query.startswith(prompt):
        query = query[len(prompt) :]
    return _TRAILING_SPECIALS.sub("", query)


def reference_of(label: Any) -> dict[str, Any]:
    """A label is a math answer, or a code reference as a JSON object (or its text)."""
    if isinstance(label, dict):
        return label
    if isinstance(label, str) and label.lstrip().startswith("{"):
        try:
            parsed = json.loads(label)
        except json.JSONDecodeError:
            return {"answer": label}
        if isinstance(parsed, dict):
            return parsed
    return {"answer": "" if label is None else str(label)}


def items_of(
    query: list[str], prompts: list[str] | None, labels: list[Any] | None
) -> list[dict[str, Any]]:
    items = []
    for index, text in enumerate(query):
        prompt = prompts[index] if prompts else None
        item: dict[str, Any] = {"completion": completion_of(text, prompt)}
        if prompt:
            item["prompt"] = prompt
        if labels is not None:
            item["reference"] = reference_of(labels[index])
        items.append(item)
    return items
