"""The trainer's settings: defaults, then a YAML or JSON config file, then command-line flags."""

from __future__ import annotations

import argparse
import dataclasses
import json
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import yaml

from trainer_client.grpo.loss import LOSS_TYPES


def _opt(default: Any, help: str, **kwargs: Any) -> Any:
    return field(default=default, metadata={"help": help, **kwargs})


@dataclass
class GRPOConfig:
    # What to train on
    model: str = _opt("", "path (or hub id) of the policy model and its tokenizer")
    data: str = _opt(
        "",
        "prompts: a .jsonl/.json file, or a local `datasets` file or directory "
        "(.parquet, .arrow, save_to_disk output)",
    )
    prompt_field: str = _opt("prompt", "record field holding the question")
    answer_field: str = _opt("answer", "record field holding a math gold answer")
    reference_field: str = _opt(
        "reference", "record field holding a full CONTRACT reference (used when present)"
    )
    template: str = _opt(
        "r1-zero",
        "prompt template: r1-zero, chat (the tokenizer's chat template), plain, "
        "or a format string with {prompt}",
    )
    output_dir: str = _opt("runs/grpo", "where metrics, TensorBoard logs and checkpoints go")

    # Rewards, from the service
    reward_url: str | None = _opt(None, "rewardd URL (default: $REWARDD_URL or 127.0.0.1:8000)")
    recipe: str = _opt("r1-zero", "the service's reward recipe")
    weights: dict[str, float] | None = field(
        default=None,
        metadata={
            "help": "component weights replacing the recipe's, as JSON: '{\"accuracy\": 1.0}'"
        },
    )
    reward_timeout_s: float = _opt(60.0, "the service's time budget for one batch")
    reward_retries: int = _opt(6, "retries (with backoff) when the service is down or busy")

    # Sampling
    backend: str = _opt("hf", "generation backend: hf (CPU or GPU) or vllm (GPU, colocated)")
    prompts_per_step: int = _opt(4, "prompts (groups) per optimizer step")
    num_generations: int = _opt(4, "G: completions sampled per prompt")
    max_prompt_length: int = _opt(512, "prompts are cut from the left to this many tokens")
    max_completion_length: int = _opt(256, "completions are cut off after this many tokens")
    temperature: float = _opt(1.0, "sampling temperature")
    top_p: float = _opt(1.0, "nucleus sampling")
    top_k: int = _opt(0, "top-k sampling (0: off)")
    vllm_gpu_memory_utilization: float = _opt(0.3, "share of the GPU vLLM may take")

    # Optimisation
    steps: int = _opt(100, "generation steps to run")
    learning_rate: float = _opt(1e-6, "AdamW learning rate")
    weight_decay: float = _opt(0.0, "AdamW weight decay")
    adam_betas: tuple[float, float] = _opt((0.9, 0.99), "AdamW betas")
    warmup_steps: int = _opt(0, "linear learning-rate warm-up, in optimizer steps")
    max_grad_norm: float = _opt(1.0, "gradient clipping (0: off)")
    micro_batch_size: int = _opt(16, "completions per forward/backward pass")
    num_iterations: int = _opt(1, "μ: optimizer steps on each generated batch")
    dtype: str = _opt("float32", "model dtype: float32, bfloat16 or float16")
    device: str = _opt("auto", "auto, cpu or cuda")

    # The GRPO objective
    loss_type: str = _opt("dapo", f"token aggregation: {', '.join(LOSS_TYPES)}")
    scale_rewards: str = _opt("group", "advantage std scaling: group, batch or none (Dr. GRPO)")
    epsilon: float = _opt(0.2, "ε_low: lower clip of the ratio at 1 − ε")
    epsilon_high: float | None = _opt(None, "ε_high: upper clip at 1 + ε_high (default ε)")
    beta: float = _opt(0.0, "KL coefficient; 0 loads no reference model")
    dynamic_sampling: bool = _opt(False, "drop groups whose rewards are all equal (DAPO)")
    dynamic_sampling_max_rounds: int = _opt(
        3, "with dynamic sampling: rounds of extra prompts to sample to refill the batch"
    )
    mask_truncated_completions: bool = _opt(
        False, "exclude completions cut off at max_completion_length from the loss"
    )

    # Bookkeeping
    seed: int = _opt(0, "random seed")
    save_every: int = _opt(0, "save a checkpoint every N steps (0: only at the end)")
    keep_checkpoints: int = _opt(2, "how many step checkpoints to keep")
    resume: str | None = _opt(None, "resume from a checkpoint directory, or 'latest'")
    tensorboard: bool = _opt(True, "write TensorBoard logs")
    plot: bool = _opt(True, "draw the reward curve to reward_curve.png at the end")
    progress: bool = _opt(True, "show a progress bar")

    @property
    def clip_high(self) -> float:
        return self.epsilon if self.epsilon_high is None else self.epsilon_high

    def validate(self) -> None:
        problems = []
        if not self.model:
            problems.append("--model is required")
        if not self.data:
            problems.append("--data is required")
        if self.loss_type not in LOSS_TYPES:
            problems.append(f"--loss_type must be one of {', '.join(LOSS_TYPES)}")
        if self.scale_rewards not in ("group", "batch", "none"):
            problems.append("--scale_rewards must be group, batch or none")
        if self.backend not in ("hf", "vllm"):
            problems.append("--backend must be hf or vllm")
        if self.num_generations < 2:
            problems.append("--num_generations must be at least 2 (advantages are group-relative)")
        for name in ("prompts_per_step", "steps", "micro_batch_size", "num_iterations"):
            if getattr(self, name) < 1:
                problems.append(f"--{name} must be at least 1")
        if problems:
            raise ValueError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _base_type(annotation: Any) -> Any:
    """`float | None` -> float."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _parse_value(text: str, annotation: Any) -> Any:
    base = _base_type(annotation)
    if text.lower() in ("none", "null") and base is not annotation:
        return None
    if get_origin(base) in (dict, tuple) or base in (dict, tuple):
        value = json.loads(text)
        return tuple(value) if get_origin(base) is tuple else value
    return base(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trainer_client.grpo",
        description=(
            "GRPO (DeepSeekMath, DeepSeek-R1) with rewards computed by a rewardd service. "
            "Settings come from the defaults, then --config, then the flags below."
        ),
        epilog=(
            "example: python -m trainer_client.grpo --model Qwen/Qwen2.5-0.5B "
            '--data prompts.jsonl --weights \'{"accuracy": 1.0, "format": 0.3}\' '
            "--loss_type dr_grpo --scale_rewards none --steps 200"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="a YAML or JSON file of settings (the flags' names)")
    hints = get_type_hints(GRPOConfig)
    for spec in dataclasses.fields(GRPOConfig):
        annotation = hints[spec.name]
        help_text = spec.metadata.get("help", "")
        if annotation is bool:
            parser.add_argument(
                f"--{spec.name}",
                action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS,
                help=f"{help_text} (default: {spec.default})",
            )
            continue

        def convert(text: str, annotation: Any = annotation) -> Any:
            return _parse_value(text, annotation)

        convert.__name__ = getattr(_base_type(annotation), "__name__", "value")
        parser.add_argument(
            f"--{spec.name}",
            type=convert,
            default=argparse.SUPPRESS,
            help=f"{help_text} (default: {spec.default})",
            metavar=spec.name.upper(),
        )
    return parser


def load_config_file(path: str | Path) -> dict[str, Any]:
    text = Path(path).read_text()
    values = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    if not isinstance(values, dict):
        raise ValueError(f"{path}: a config file must hold a mapping of settings")
    known = {spec.name for spec in dataclasses.fields(GRPOConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{path}: unknown settings {', '.join(unknown)}")
    if isinstance(values.get("adam_betas"), list):
        values["adam_betas"] = tuple(values["adam_betas"])
    return values


def parse_config(argv: list[str] | None = None) -> GRPOConfig:
    """Defaults < --config file < flags."""
    parser = build_parser()
    args = vars(parser.parse_args(argv))
    config_path = args.pop("config", None)
    values = load_config_file(config_path) if config_path else {}
    values.update(args)
    config = GRPOConfig(**values)
    try:
        config.validate()
    except ValueError as exc:
        parser.error(str(exc))
    return config
