"""TRL's own `GRPOTrainer` (the installed `trl` package) training with `trainer_client.rewards`
against a real `rewardd serve`: two steps of a tiny model built from a config, on a CPU.

The reward functions are TRL's to call: TRL passes prompts, completions, completion_ids and the
dataset's columns. What each call returned is recorded, and checked against the service's own
grading of the same completions, and against what TRL logged.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.trainer.peers import require_peer
from trainer_client import rewards
from trainer_client.client import RewardClient

pytestmark = pytest.mark.slow


trl = require_peer("trl")


class Recorded:
    """A reward function as TRL sees it (same name), remembering each call's inputs and output."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.__name__ = function.__name__
        self.calls: list[tuple[dict[str, Any], list[float | None]]] = []

    def __call__(self, **kwargs: Any) -> list[float | None]:
        values = self.function(**kwargs)
        self.calls.append((kwargs, values))
        return values


def test_grpo_trainer_trains_two_steps_on_service_rewards(
    rewardd_url: str, toy_dir: Path, tmp_path: Path
) -> None:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer

    rewards.configure(rewardd_url)
    model = AutoModelForCausalLM.from_pretrained(toy_dir / "model")
    tokenizer = AutoTokenizer.from_pretrained(toy_dir / "model")
    tokenizer.padding_side = "left"
    rows = [{"prompt": f"{a} + {b} =", "solution": str(a + b)} for a in range(2) for b in range(2)]
    accuracy = Recorded(rewards.accuracy_reward)
    tags = Recorded(rewards.tag_count_reward)
    args = trl.GRPOConfig(
        output_dir=str(tmp_path / "out"),
        max_steps=2,
        per_device_train_batch_size=4,
        num_generations=4,
        max_completion_length=8,
        learning_rate=1e-3,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        bf16=False,
        seed=0,
    )
    trainer = trl.GRPOTrainer(
        model=model,
        reward_funcs=[accuracy, tags],
        args=args,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # the shared client leaks no socket
        trainer.train()

    assert trainer.state.global_step == 2
    assert accuracy.calls and tags.calls
    client = RewardClient(rewardd_url)
    for recorded, component in ((accuracy, "accuracy"), (tags, "tag_count")):
        for kwargs, values in recorded.calls:
            assert len(values) == len(kwargs["completions"])
            # TRL passed the dataset's column and the token ids, as our adapters expect.
            assert len(kwargs["solution"]) == len(kwargs["completion_ids"]) == len(values)
            items = [
                {"completion": c, "reference": {"answer": s}, "task": "math"}
                for c, s in zip(kwargs["completions"], kwargs["solution"], strict=True)
            ]
            service = client.grade(items, weights={component: 1.0})
            assert values == [r.component(component) for r in service]
    logged = [entry for entry in trainer.state.log_history if "reward" in entry]
    assert len(logged) == 2
    for entry in logged:
        assert "rewards/accuracy_reward/mean" in entry
        assert "rewards/tag_count_reward/mean" in entry
