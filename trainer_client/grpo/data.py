"""Prompts: reading them, putting them in a template, and drawing them in a reproducible order."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# DeepSeek-R1 (Table 1): the template R1-Zero was trained with. The completion is expected to
# hold the <think> and <answer> blocks, which the service's `format` component checks.
R1_ZERO_TEMPLATE = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant "
    "solves it. The assistant first thinks about the reasoning process in the mind and then "
    "provides the user with the answer. The reasoning process and answer are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process "
    "here </think> <answer> answer here </answer>. User: {prompt}. Assistant:"
)


@dataclass(frozen=True)
class Example:
    question: str
    reference: dict[str, Any]
    task: str | None = None  # None: the service infers it from the reference

    def reward_item(self, completion: str, completion_tokens: int) -> dict[str, Any]:
        """The `/v1/rewards` item grading one sampled completion of this example."""
        item: dict[str, Any] = {
            "prompt": self.question,
            "completion": completion,
            "reference": self.reference,
            "completion_tokens": completion_tokens,
        }
        if self.task is not None:
            item["task"] = self.task
        return item


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Records from JSONL or JSON, or from a local `datasets` file or save_to_disk directory."""
    path = Path(path)
    if path.suffix == ".jsonl":
        with path.open() as lines:
            return [json.loads(line) for line in lines if line.strip()]
    if path.suffix == ".json":
        records = json.loads(path.read_text())
        if not isinstance(records, list):
            raise ValueError(f"{path}: expected a JSON list of records")
        return records
    try:
        import datasets
    except ImportError as exc:
        raise ImportError(
            f"{path}: reading this needs the `datasets` package (pip install datasets), "
            "or give the prompts as .jsonl"
        ) from exc
    if path.is_dir():
        dataset = datasets.load_from_disk(str(path))
        if isinstance(dataset, datasets.DatasetDict):
            dataset = dataset["train"]
    else:
        kind = {".parquet": "parquet", ".arrow": "arrow", ".csv": "csv"}.get(path.suffix)
        if kind is None:
            raise ValueError(f"{path}: unknown data format (use .jsonl, .json, .parquet, .arrow)")
        dataset = datasets.load_dataset(kind, data_files=str(path), split="train")
    return [dict(record) for record in dataset]


def to_examples(
    records: Iterable[dict[str, Any]],
    *,
    prompt_field: str = "prompt",
    answer_field: str = "answer",
    reference_field: str = "reference",
) -> list[Example]:
    examples = []
    for number, record in enumerate(records):
        if prompt_field not in record:
            raise ValueError(f"record {number} has no {prompt_field!r} field: {record}")
        reference = record.get(reference_field)
        if isinstance(reference, str):
            reference = json.loads(reference)
        if reference is None:
            if answer_field not in record:
                raise ValueError(
                    f"record {number} has neither {reference_field!r} nor {answer_field!r}"
                )
            reference = {"answer": str(record[answer_field])}
        examples.append(Example(str(record[prompt_field]), dict(reference), record.get("task")))
    if not examples:
        raise ValueError("no prompts to train on")
    return examples


def format_prompt(question: str, template: str, tokenizer: Any = None) -> str:
    if template == "r1-zero":
        return R1_ZERO_TEMPLATE.format(prompt=question)
    if template == "plain":
        return question
    if template == "chat":
        messages = [{"role": "user", "content": question}]
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    if "{prompt}" in template:
        return template.format(prompt=question)
    raise ValueError(f"template must be r1-zero, chat, plain or contain {{prompt}}: {template!r}")


class PromptSampler:
    """Draws prompts epoch by epoch, each epoch in a fresh order fixed by the seed.

    Its whole state is (seed, drawn): a resumed run draws exactly what the first run would have.
    """

    def __init__(self, examples: list[Example], seed: int, drawn: int = 0) -> None:
        self.examples = examples
        self.seed = seed
        self.drawn = drawn

    def _order(self, epoch: int) -> list[int]:
        order = list(range(len(self.examples)))
        random.Random(self.seed * 1_000_003 + epoch).shuffle(order)
        return order

    def draw(self, count: int) -> list[Example]:
        batch = []
        for _ in range(count):
            epoch, position = divmod(self.drawn, len(self.examples))
            batch.append(self.examples[self._order(epoch)[position]])
            self.drawn += 1
        return batch
