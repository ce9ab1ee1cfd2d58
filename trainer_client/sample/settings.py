"""The command line of `python -m trainer_client.sample`."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from trainer_client.arguments import positive_int
from trainer_client.sample.keep import EXAMPLE

DEFAULT_KEEP = EXAMPLE  # DeepSeek-R1's rule-based filter: right, well formed, one language


@dataclass(frozen=True)
class SampleSettings:
    model: str
    data: str
    num_samples: int
    out: Path
    keep: str
    max_per_prompt: int | None
    backend: str
    recipe: str
    weights: dict[str, float] | None
    template: str
    prompt_field: str
    answer_field: str
    reference_field: str
    max_prompt_length: int
    max_new_tokens: int
    temperature: float
    top_p: float
    top_k: int
    generation_batch: int | None
    grade_batch: int
    keep_truncated: bool
    resume: bool
    overwrite: bool
    rejects: Path | None
    summary_json: Path | None
    source: str | None
    reward_url: str | None
    reward_timeout_s: float
    reward_retries: int
    dtype: str
    device: str
    vllm_gpu_memory_utilization: float
    seed: int
    progress: bool

    def prompts_per_generation(self) -> int:
        if self.generation_batch is not None:
            return self.generation_batch
        # vLLM schedules its own batches: hand it many prompts at once. HF generate pads every
        # sequence to the longest, so smaller batches waste less.
        return 256 if self.backend == "vllm" else 8


def _weights(text: str) -> dict[str, float]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) for k, v in value.items()
    ):
        raise argparse.ArgumentTypeError('expected {"component": weight, ...}')
    return {k: float(v) for k, v in value.items()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trainer_client.sample",
        description=(
            "DeepSeek-R1's rejection sampling: generate K completions per prompt, grade them all "
            "on a rewardd service, and keep the distinct ones that meet --keep, as JSON lines "
            '{"prompt", "completion", "reward", "components", "source", "reference"} for '
            "python -m trainer_client.sft."
        ),
        epilog=(
            "--keep: comma-separated conditions NAME OP NUMBER that must all hold; NAME is a "
            "component of the recipe or 'reward', OP one of >= > <= < == !=. A null component "
            "fails. Example: --keep 'accuracy>=1,format>=1,language>=0.95'.\n\n"
            "exit status: 0 done; 1 the service or the model failed (what was written is "
            "valid: rerun with --resume); 2 bad arguments, data or output file; 130 interrupted."
            "\n\nexample: python -m trainer_client.sample --model runs/grpo/checkpoints/"
            "step-000100 --data prompts.jsonl --num_samples 16 --out sft.jsonl "
            "--max_per_prompt 4"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_argument_group("what to sample")
    what.add_argument("--model", required=True, help="path (or hub id) of the model")
    what.add_argument(
        "--data", required=True, help="prompts: .jsonl/.json, or .parquet/.arrow/save_to_disk"
    )
    what.add_argument(
        "--num_samples", type=positive_int, required=True, help="K: completions per prompt"
    )
    what.add_argument("--out", type=Path, required=True, help="the JSONL file of kept samples")
    what.add_argument("--prompt_field", default="prompt", help="record field with the question")
    what.add_argument("--answer_field", default="answer", help="record field with a math answer")
    what.add_argument(
        "--reference_field",
        default="reference",
        help="record field with a full CONTRACT reference (used when present)",
    )
    what.add_argument(
        "--template",
        default="r1-zero",
        help="prompt template, as for trainer_client.grpo: r1-zero, chat, plain, or a format "
        "string with {prompt} (default: r1-zero)",
    )

    keep = parser.add_argument_group("what to keep")
    keep.add_argument("--keep", default=DEFAULT_KEEP, help=f"the rule (default: {DEFAULT_KEEP})")
    keep.add_argument(
        "--max_per_prompt",
        type=positive_int,
        default=None,
        help="keep at most N distinct completions per prompt, the best rewarded (default: all)",
    )
    keep.add_argument(
        "--keep_truncated",
        action="store_true",
        help="also keep completions cut off at --max_new_tokens (default: rejected)",
    )
    keep.add_argument("--recipe", default="r1", help="the service's reward recipe (default: r1)")
    keep.add_argument(
        "--weights",
        type=_weights,
        default=None,
        help="component weights replacing the recipe's, as JSON: '{\"accuracy\": 1.0}'",
    )

    gen = parser.add_argument_group("generation")
    gen.add_argument(
        "--backend", choices=("hf", "vllm"), default="hf", help="hf (CPU or GPU) or vllm (GPU)"
    )
    gen.add_argument(
        "--max_prompt_length", type=positive_int, default=512, help="default: %(default)s"
    )
    gen.add_argument(
        "--max_new_tokens", type=positive_int, default=1024, help="default: %(default)s"
    )
    gen.add_argument(
        "--temperature",
        type=float,
        default=0.6,
        help="0.6 and top_p 0.95: R1's evaluation sampling",
    )
    gen.add_argument("--top_p", type=float, default=0.95, help="default: %(default)s")
    gen.add_argument("--top_k", type=int, default=0, help="0: off")
    gen.add_argument(
        "--generation_batch",
        type=positive_int,
        default=None,
        help="prompts per generate call (default: 8 with hf, 256 with vllm)",
    )
    gen.add_argument(
        "--dtype",
        default="auto",
        help="auto (bfloat16 on a GPU, float32 on a CPU), float32, bfloat16 or float16",
    )
    gen.add_argument("--device", default="auto", help="auto, cpu or cuda (hf backend)")
    gen.add_argument(
        "--vllm_gpu_memory_utilization", type=float, default=0.9, help="default: %(default)s"
    )
    gen.add_argument("--seed", type=int, default=0, help="default: %(default)s")

    service = parser.add_argument_group("the reward service")
    service.add_argument(
        "--reward_url", default=None, help="rewardd URL (default: $REWARDD_URL or 127.0.0.1:8000)"
    )
    service.add_argument(
        "--grade_batch",
        type=positive_int,
        default=1024,
        help="completions per grading request, at most 4096 (default: 1024)",
    )
    service.add_argument(
        "--reward_timeout_s", type=float, default=120.0, help="default: %(default)s"
    )
    service.add_argument(
        "--reward_retries",
        type=int,
        default=10,
        help="retries, with jittered backoff of up to 30 s, while the service is down or busy: "
        "one to two minutes with the default 10, enough for a restart",
    )

    run = parser.add_argument_group("the run")
    run.add_argument(
        "--resume", action="store_true", help="skip the prompts already finished in --out"
    )
    run.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    run.add_argument("--rejects", type=Path, default=None, help="also write the rejects here")
    run.add_argument(
        "--summary_json", type=Path, default=None, help="write the summary here as JSON"
    )
    run.add_argument("--source", default=None, help="the 'source' of each line (default: --model)")
    run.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=True, help="progress bar"
    )
    return parser


def parse_settings(argv: list[str] | None = None) -> SampleSettings:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.grade_batch > 4096:
        parser.error("--grade_batch must be at most 4096 (the service's limit per request)")
    if args.resume and args.overwrite:
        parser.error("--resume and --overwrite contradict each other")
    return SampleSettings(**vars(args))
