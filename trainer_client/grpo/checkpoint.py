"""Checkpoints: the model and tokenizer (loadable with from_pretrained), the optimizer and
scheduler, and everything needed to continue the run exactly (step, prompts drawn, RNG states)."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

_TRAINING_STATE = "training_state.pt"
_PROGRESS = "progress.json"


@dataclass(frozen=True)
class Progress:
    step: int  # steps completed
    prompts_drawn: int


def checkpoint_root(output_dir: str | Path) -> Path:
    return Path(output_dir) / "checkpoints"


def save_checkpoint(
    directory: Path,
    *,
    model: Any,
    tokenizer: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    progress: Progress,
) -> Path:
    # Written to a temporary name and renamed, so a crash never leaves a half checkpoint that
    # --resume latest would pick.
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "rng": {
                "python": random.getstate(),
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            },
        },
        partial / _TRAINING_STATE,
    )
    (partial / _PROGRESS).write_text(json.dumps(progress.__dict__))
    shutil.rmtree(directory, ignore_errors=True)
    partial.rename(directory)
    return directory


def step_directory(output_dir: str | Path, step: int) -> Path:
    return checkpoint_root(output_dir) / f"step-{step:06d}"


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    steps = sorted(checkpoint_root(output_dir).glob("step-[0-9]*[0-9]"))
    return steps[-1] if steps else None


def prune_checkpoints(output_dir: str | Path, keep: int) -> None:
    steps = sorted(checkpoint_root(output_dir).glob("step-[0-9]*[0-9]"))
    for old in steps[: max(0, len(steps) - keep)]:
        shutil.rmtree(old)


def read_progress(directory: Path) -> Progress:
    return Progress(**json.loads((directory / _PROGRESS).read_text()))


def restore_training_state(
    directory: Path,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> None:
    state = torch.load(directory / _TRAINING_STATE, weights_only=False)
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    random.setstate(state["rng"]["python"])
    torch.set_rng_state(state["rng"]["torch"])
    if state["rng"]["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["rng"]["cuda"])
