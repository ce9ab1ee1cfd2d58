"""OpenRLHF's remote reward protocol (`--reward.remote_url http://host:8000/get_reward`).

Checked against OpenRLHF 0.11.2's remote-reward client (`SingleTurnAgentExecutor` in
`openrlhf/utils/agent.py`). It posts `{"query": [...], "prompts": [...], "labels": [...]}` where
`query` is the decoded prompt + response tokens, special tokens kept, and `prompts` is the prompt
after the chat template (with `--data.apply_chat_template`), system prompt included. When the
prompt is longer than its budget, OpenRLHF keeps only its last tokens, so `query` no longer
starts with `prompt`. It reads `rewards`, `scores` (its dynamic filtering keeps groups whose mean
score is inside (0, 1)) and `extra_logs`, each turned into a tensor: no value may be null.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rewardd.recipes import resolve_weights

# Special tokens that chat templates leave at the end of a decoded sequence.
END_TOKENS = (
    "<|im_end|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|end|>",
    "<|return|>",
    "</s>",
    "<eos>",
    "<|end_of_text|>",
    "<end_of_turn>",
    "<｜end▁of▁sentence｜>",
)


@dataclass(frozen=True)
class ChatTemplate:
    user_header: str
    turn_ends: tuple[str, ...]  # what ends a user turn: its end token or the next header
    assistant_header: str


# The chat templates of the model families people train with OpenRLHF.
CHAT_TEMPLATES = (
    ChatTemplate("<|im_start|>user", ("<|im_end|>", "<|im_start|>"), "<|im_start|>assistant"),
    ChatTemplate(
        "<|start_header_id|>user<|end_header_id|>",
        ("<|eot_id|>", "<|start_header_id|>"),
        "<|start_header_id|>assistant<|end_header_id|>",
    ),
    ChatTemplate("<｜User｜>", ("<｜Assistant｜>", "<｜end▁of▁sentence｜>"), "<｜Assistant｜>"),
    ChatTemplate(
        "<start_of_turn>user", ("<end_of_turn>", "<start_of_turn>"), "<start_of_turn>model"
    ),
    ChatTemplate("<|user|>", ("<|end|>", "<|assistant|>"), "<|assistant|>"),
    ChatTemplate("[INST]", ("[/INST]",), "[/INST]"),
)

# How much of the prompt's end locates the prompt inside a left-truncated query. Long enough
# to be unique in practice (it spans the end of the user turn and the assistant header), short
# enough to survive all but an extreme truncation.
PROMPT_ANCHOR_CHARS = 128


def strip_end_tokens(text: str) -> str:
    """`text` without the end tokens (and the white space among them) at its end.

    Each pass removes one whole token by moving an end index (never copying the rest), so the
    work is linear in what is removed: the regex this replaces backtracked over long
    white-space tails (35,000 newlines stalled the service), and slicing per token was
    quadratic in a tail of many tokens (200,000 took 33 s).
    Text that does not end with an end token is returned unchanged, trailing space included.
    """
    end = len(text.rstrip())
    stripped = False
    while True:
        token = next((t for t in END_TOKENS if text.endswith(t, 0, end)), None)
        if token is None:
            return text[:end] if stripped else text
        end -= len(token)
        while end and text[end - 1].isspace():  # what str.rstrip() removes
            end -= 1
        stripped = True


def last_user_turn(prompt: str) -> str:
    """The text of the last user turn of a chat-templated prompt, or the prompt itself.

    The language target must come from the question, not from the template's system prompt
    (Qwen's default one is English whatever the question's language).
    """
    best: tuple[int, ChatTemplate] | None = None
    for template in CHAT_TEMPLATES:
        position = prompt.rfind(template.user_header)
        if position >= 0 and (best is None or position > best[0]):
            best = (position, template)
    if best is None:
        return prompt
    position, template = best
    turn = prompt[position + len(template.user_header) :]
    ends = [index for index in (turn.find(end) for end in template.turn_ends) if index >= 0]
    return (turn[: min(ends)] if ends else turn).strip()


def _after_last_assistant_header(query: str) -> str | None:
    best: tuple[int, str] | None = None
    for template in CHAT_TEMPLATES:
        position = query.rfind(template.assistant_header)
        if position >= 0 and (best is None or position > best[0]):
            best = (position, template.assistant_header)
    if best is None:
        return None
    position, header = best
    return query[position + len(header) :].lstrip("\n")


def completion_of(query: str, prompt: str | None) -> str:
    """The completion inside an OpenRLHF query: the prompt removed, end tokens stripped.

    - `query` starts with `prompt`: what follows it.
    - OpenRLHF truncated the prompt from the left: what follows the first occurrence of the
      prompt's last characters (the end of the user turn and the assistant header), so that a
      header the policy itself writes cannot move the split;
    - that end is not in `query` either (an extreme truncation): what follows the last
      assistant header of a known chat template;
    - none of these: the whole query.
    """
    completion: str | None = None
    if prompt and query.startswith(prompt):
        completion = query[len(prompt) :]
    elif prompt:
        anchor = prompt[-PROMPT_ANCHOR_CHARS:]
        position = query.find(anchor)
        if position >= 0:
            completion = query[position + len(anchor) :]
        else:
            completion = _after_last_assistant_header(query)
    return strip_end_tokens(query if completion is None else completion)


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
            # The question, for the default target language and the default GRPO group.
            item["prompt"] = last_user_turn(prompt)
        if labels is not None:
            item["reference"] = reference_of(labels[index])
        items.append(item)
    return items


def weights_for(recipe: str) -> dict[str, float]:
    """The recipe's weights, with `accuracy` at weight 0 when the recipe leaves it out: OpenRLHF's
    `scores` are the accuracy, whatever the reward is made of."""
    _, weights = resolve_weights(recipe, None)
    return {"accuracy": 0.0, **weights}


def response_of(results: Sequence[Mapping[str, Any]], weights: Mapping[str, float]) -> dict:
    """OpenRLHF's response. It needs a number everywhere: an ungradable item scores 0.0 and is
    flagged with 1.0 in `extra_logs.ungraded`, as is every item with an error."""

    def number(value: Any) -> float:
        return 0.0 if value is None else float(value)

    logs = {name: [number(r["components"].get(name)) for r in results] for name in weights}
    logs["ungraded"] = [float(bool(r.get("error")) or r["reward"] is None) for r in results]
    return {
        "rewards": [number(r["reward"]) for r in results],
        "scores": [number(r["components"].get("accuracy")) for r in results],
        "extra_logs": logs,
    }
