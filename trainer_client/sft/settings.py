"""The command line of `python -m trainer_client.sft`."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from trainer_client.arguments import positive_int


@dataclass(frozen=True)
class SFTSettings:
    model: str
    data: str
    output_dir: Path
    template: str
    prompt_field: str
    completion_field: str
    max_length: int
    num_train_epochs: float
    max_steps: int
    per_device_train_batch_size: int
    gradient_accumulation_steps: int
    learning_rate: float
    lr_scheduler_type: str
    warmup_ratio: float
    weight_decay: float
    max_grad_norm: float
    logging_steps: int
    save_steps: int
    save_total_limit: int
    gradient_checkpointing: bool
    dtype: str
    device: str
    seed: int
    resume: str | None
    tensorboard: bool
    plot: bool
    progress: bool


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trainer_client.sft",
        description=(
            "Supervised fine-tuning on prompt/completion rows (the output of "
            "python -m trainer_client.sample, or any JSONL with those fields), with the loss on "
            "the completion tokens only: DeepSeek-R1's cold start and its distillation step. "
            "Trained with TRL's SFTTrainer. --output_dir ends up holding the model and "
            "tokenizer, loadable as --model by trainer_client.grpo and trainer_client.sample, "
            "with checkpoint-N/ directories, metrics.jsonl, tensorboard/ and loss_curve.png."
        ),
        epilog=(
            "exit status: 0 done; 1 training failed; 2 bad arguments or data.\n\n"
            "example: python -m trainer_client.sft --model Qwen/Qwen2.5-1.5B --data sft.jsonl "
            "--output_dir runs/sft --max_length 8192 --learning_rate 1e-5 --dtype bfloat16"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("what to train")
    data.add_argument("--model", required=True, help="path (or hub id) of the model to tune")
    data.add_argument(
        "--data", required=True, help="rows: .jsonl/.json, or .parquet/.arrow/save_to_disk"
    )
    data.add_argument("--output_dir", type=Path, required=True, help="where the model goes")
    data.add_argument(
        "--template",
        default="r1-zero",
        help="prompt template, the one trainer_client.grpo and trainer_client.sample will use: "
        "r1-zero, chat, plain, or a format string with {prompt} (default: r1-zero)",
    )
    data.add_argument("--prompt_field", default="prompt", help="default: %(default)s")
    data.add_argument(
        "--completion_field",
        default="completion",
        help="a string, or a chat list whose last assistant message is the target",
    )
    data.add_argument(
        "--max_length",
        type=positive_int,
        default=4096,
        help="tokens per row, prompt and completion; longer rows are cut at the end "
        "(default: %(default)s)",
    )

    opt = parser.add_argument_group("optimisation")
    opt.add_argument("--num_train_epochs", type=float, default=3.0, help="default: %(default)s")
    opt.add_argument(
        "--max_steps", type=int, default=-1, help="optimizer steps; overrides epochs when > 0"
    )
    opt.add_argument(
        "--per_device_train_batch_size", type=positive_int, default=8, help="default: %(default)s"
    )
    opt.add_argument(
        "--gradient_accumulation_steps", type=positive_int, default=1, help="default: %(default)s"
    )
    opt.add_argument("--learning_rate", type=float, default=2e-5, help="default: %(default)s")
    opt.add_argument("--lr_scheduler_type", default="cosine", help="default: %(default)s")
    opt.add_argument("--warmup_ratio", type=float, default=0.03, help="default: %(default)s")
    opt.add_argument("--weight_decay", type=float, default=0.0, help="default: %(default)s")
    opt.add_argument("--max_grad_norm", type=float, default=1.0, help="default: %(default)s")
    opt.add_argument(
        "--gradient_checkpointing",
        action="store_true",
        help="trade compute for memory (long chains of thought on a GPU); off by default",
    )
    opt.add_argument(
        "--dtype", default="auto", help="auto (bfloat16 on a GPU, float32 on a CPU), float32, ..."
    )
    opt.add_argument("--device", default="auto", help="auto, cpu or cuda")
    opt.add_argument("--seed", type=int, default=0, help="default: %(default)s")

    run = parser.add_argument_group("the run")
    run.add_argument("--logging_steps", type=positive_int, default=10, help="default: %(default)s")
    run.add_argument(
        "--save_steps",
        type=positive_int,
        default=500,
        help="checkpoint every N steps (default: %(default)s)",
    )
    run.add_argument(
        "--save_total_limit",
        type=positive_int,
        default=2,
        help="checkpoints kept (default: %(default)s)",
    )
    run.add_argument(
        "--resume",
        nargs="?",
        const="latest",
        default=None,
        help="continue from the latest checkpoint in --output_dir, or from the one given",
    )
    for name, help_text in (
        ("tensorboard", "TensorBoard logs in OUT/tensorboard"),
        ("plot", "the loss curve in OUT/loss_curve.png"),
        ("progress", "a progress bar"),
    ):
        run.add_argument(
            f"--{name}", action=argparse.BooleanOptionalAction, default=True, help=help_text
        )
    return parser


def parse_settings(argv: list[str] | None = None) -> SFTSettings:
    args = build_parser().parse_args(argv)
    return SFTSettings(**vars(args))
