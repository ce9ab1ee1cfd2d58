"""SFT with TRL's SFTTrainer, on rows we tokenize ourselves (see data.py).

TRL brings what a maintained trainer should: the completion-only loss (labels are -100 wherever
`completion_mask` is 0), padding, gradient accumulation, mixed precision, multi-GPU through
accelerate, checkpoints with optimizer, scheduler and RNG state, and exact resumption. We add
the prompt template, metrics.jsonl, TensorBoard under OUT/tensorboard and the loss curve, and
save the final model and tokenizer in OUT itself so that it loads as `--model`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import torch

from trainer_client.grpo.data import read_records
from trainer_client.sft.data import Encoded, encode_records
from trainer_client.sft.settings import SFTSettings

log = logging.getLogger("trainer_client.sft")
METRICS_FILE = "metrics.jsonl"
PLOT_FILE = "loss_curve.png"


def _device(settings: SFTSettings) -> torch.device:
    if settings.device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(settings.device)


def _dtype(settings: SFTSettings, device: torch.device) -> torch.dtype:
    if settings.dtype == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return getattr(torch, settings.dtype)


def checkpoint_to_resume(settings: SFTSettings) -> Path | None:
    if settings.resume is None:
        return None
    if settings.resume == "latest":
        from transformers.trainer_utils import get_last_checkpoint

        found = (
            get_last_checkpoint(str(settings.output_dir)) if settings.output_dir.is_dir() else None
        )
        if found is None:
            raise FileNotFoundError(
                f"--resume: no checkpoint-N directory in {settings.output_dir} to resume from"
            )
        return Path(found)
    path = Path(settings.resume)
    if not (path / "trainer_state.json").is_file():
        raise FileNotFoundError(f"--resume {path}: not a checkpoint (no trainer_state.json)")
    return path


def checkpoint_step(checkpoint: Path | None) -> int:
    if checkpoint is None:
        return 0
    return int(json.loads((checkpoint / "trainer_state.json").read_text())["global_step"])


def metrics_callback(path: Path, resume_after_step: int) -> Any:
    """A TrainerCallback appending every log (loss, grad_norm, learning_rate, token accuracy,
    ...) to metrics.jsonl. A resumed run keeps the lines up to its checkpoint and rewrites the
    rest; a new run starts the file afresh."""
    from transformers import TrainerCallback

    class MetricsJSONL(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if not state.is_world_process_zero:
                return
            kept = [row for row in read_metrics(path) if row["step"] <= resume_after_step]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(row) + "\n" for row in kept))

        def on_log(
            self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any
        ) -> None:
            if state.is_world_process_zero and logs:
                with path.open("a") as out:
                    out.write(json.dumps({"step": state.global_step, **logs}) + "\n")

    return MetricsJSONL()


def read_metrics(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def to_dataset(rows: list[Encoded]) -> Any:
    import datasets

    return datasets.Dataset.from_dict(
        {
            "input_ids": [row.input_ids for row in rows],
            "completion_mask": [row.completion_mask for row in rows],
        }
    )


def build_trainer(settings: SFTSettings, *, resume_after_step: int = 0) -> Any:
    """The SFTTrainer, ready to train (its train_dataset holds the labels it will use)."""
    from transformers import AutoModelForCausalLM
    from trl import SFTConfig, SFTTrainer

    from trainer_client.grpo.trainer import load_tokenizer

    device = _device(settings)
    dtype = _dtype(settings, device)
    tokenizer = load_tokenizer(settings.model)
    model = AutoModelForCausalLM.from_pretrained(settings.model, dtype=dtype)
    rows = encode_records(
        read_records(settings.data),
        tokenizer,
        template=settings.template,
        prompt_field=settings.prompt_field,
        completion_field=settings.completion_field,
    )
    too_long = sum(len(row.input_ids) > settings.max_length for row in rows)
    if too_long:
        log.warning(
            "%d of %d rows are longer than --max_length %d: cut at the end (a row whose prompt "
            "alone fills it is dropped)",
            too_long,
            len(rows),
            settings.max_length,
        )
    # Always said, since TRL turns it on by default; under the name this transformers knows
    # (5.x renamed it activation_checkpointing and warns about the old one).
    name = (
        "activation_checkpointing"
        if "activation_checkpointing" in SFTConfig.__dataclass_fields__
        else "gradient_checkpointing"
    )
    checkpointing = {name: settings.gradient_checkpointing}
    config = SFTConfig(
        **checkpointing,
        output_dir=str(settings.output_dir),
        completion_only_loss=True,
        max_length=settings.max_length,
        truncation_mode="keep_start",
        packing=False,
        num_train_epochs=settings.num_train_epochs,
        max_steps=settings.max_steps,
        per_device_train_batch_size=settings.per_device_train_batch_size,
        gradient_accumulation_steps=settings.gradient_accumulation_steps,
        learning_rate=settings.learning_rate,
        lr_scheduler_type=settings.lr_scheduler_type,
        warmup_steps=settings.warmup_ratio,  # a float in [0, 1) is a ratio of the total steps
        weight_decay=settings.weight_decay,
        max_grad_norm=settings.max_grad_norm,
        bf16=dtype == torch.bfloat16,
        fp16=dtype == torch.float16,
        use_cpu=device.type == "cpu",
        seed=settings.seed,
        logging_steps=settings.logging_steps,
        logging_first_step=True,
        save_strategy="steps",
        save_steps=settings.save_steps,
        save_total_limit=settings.save_total_limit,
        report_to="none",  # TensorBoard is added below, writing where we say
        disable_tqdm=not settings.progress,
        dataloader_num_workers=0,
    )
    callbacks = [metrics_callback(settings.output_dir / METRICS_FILE, resume_after_step)]
    if settings.tensorboard:
        from torch.utils.tensorboard import SummaryWriter
        from transformers.integrations import TensorBoardCallback

        writer = SummaryWriter(log_dir=str(settings.output_dir / "tensorboard"))
        callbacks.append(TensorBoardCallback(tb_writer=writer))
    return SFTTrainer(
        model=model,
        args=config,
        train_dataset=to_dataset(rows),
        processing_class=tokenizer,
        callbacks=callbacks,
    )


def train(settings: SFTSettings) -> Path:
    """Trains as configured; returns the directory holding the final model (OUT)."""
    checkpoint = checkpoint_to_resume(settings)
    if checkpoint is not None:
        log.info("resuming from %s", checkpoint)
    trainer = build_trainer(settings, resume_after_step=checkpoint_step(checkpoint))
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    trainer.save_model(str(settings.output_dir))  # the model and the tokenizer
    trainer.save_state()
    if settings.plot:
        plot_loss_curve(settings.output_dir / METRICS_FILE, settings.output_dir / PLOT_FILE)
    return settings.output_dir


def plot_loss_curve(metrics_path: Path, out_path: Path) -> Path | None:
    """Training loss per step (completion tokens only), with the learning rate beneath it."""
    rows = [row for row in read_metrics(metrics_path) if "loss" in row]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [row["step"] for row in rows]
    figure, (loss_axes, lr_axes) = plt.subplots(
        2, 1, figsize=(8, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    loss_axes.plot(steps, [row["loss"] for row in rows], marker=".", label="training loss")
    loss_axes.set_ylabel("loss (completion tokens)")
    loss_axes.set_title("SFT loss")
    loss_axes.grid(alpha=0.3)
    lr_axes.plot(steps, [row.get("learning_rate", float("nan")) for row in rows], color="gray")
    lr_axes.set_ylabel("learning rate")
    lr_axes.set_xlabel("step")
    lr_axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(out_path, dpi=100)
    plt.close(figure)
    return out_path
