"""The GRPO loop: sample G completions per prompt, grade them on the service, turn the rewards into
group-relative advantages, and take μ clipped policy-gradient steps on the batch."""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from trainer_client.client import RetryPolicy, RewardClient
from trainer_client.grpo.advantages import group_advantages, groups_with_signal
from trainer_client.grpo.checkpoint import (
    Progress,
    latest_checkpoint,
    prune_checkpoints,
    read_progress,
    restore_training_state,
    save_checkpoint,
    step_directory,
)
from trainer_client.grpo.config import GRPOConfig
from trainer_client.grpo.data import Example, PromptSampler, format_prompt, read_records
from trainer_client.grpo.data import to_examples as records_to_examples
from trainer_client.grpo.generation import (
    Completion,
    Generator,
    HFGenerator,
    SamplingSettings,
    VLLMGenerator,
)
from trainer_client.grpo.loss import completion_log_probs, grpo_loss, token_weights
from trainer_client.grpo.metrics import PLOT_FILE, MetricsLog, mean_std, plot_reward_curve

log = logging.getLogger("trainer_client.grpo")
RECIPE_FILE = "reward_recipe.json"
# One line per reward request would drown the progress bar.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass
class Group:
    """One prompt and its G sampled completions, graded."""

    example: Example
    prompt_ids: list[int]
    completions: list[Completion]
    texts: list[str]
    rewards: list[float | None] = field(default_factory=list)
    components: list[dict[str, float | None]] = field(default_factory=list)

    def reward_tensor(self) -> torch.Tensor:
        return torch.tensor([float("nan") if r is None else r for r in self.rewards])


@dataclass
class Batch:
    """One training batch. Rows are [left-padded prompt | right-padded completion]."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    completion_mask: torch.Tensor  # 1 on the completion tokens that enter the loss
    advantages: torch.Tensor
    completion_length: int  # width of the completion part

    def rows(self, start: int, stop: int) -> dict[str, torch.Tensor]:
        return {
            "input_ids": self.input_ids[start:stop],
            "attention_mask": self.attention_mask[start:stop],
        }


# ---- setup --------------------------------------------------------------------------------------


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def load_model(path: str, dtype: str, device: torch.device) -> Any:
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, dtype)).to(device)


def load_tokenizer(path: str) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def make_generator(cfg: GRPOConfig, model: Any, tokenizer: Any, model_path: str) -> Generator:
    settings = SamplingSettings(
        max_new_tokens=cfg.max_completion_length,
        temperature=cfg.temperature,
        top_p=cfg.top_p,
        top_k=cfg.top_k,
    )
    if cfg.backend == "vllm":
        return VLLMGenerator(
            model_path,
            settings,
            max_model_len=cfg.max_prompt_length + cfg.max_completion_length,
            gpu_memory_utilization=cfg.vllm_gpu_memory_utilization,
            dtype=cfg.dtype,
            seed=cfg.seed,
        )
    return HFGenerator(model, tokenizer, settings)


# ---- rollouts -----------------------------------------------------------------------------------


def sample_groups(
    examples: list[Example],
    cfg: GRPOConfig,
    tokenizer: Any,
    generator: Generator,
) -> list[Group]:
    prompt_ids = [
        tokenizer(format_prompt(ex.question, cfg.template, tokenizer), add_special_tokens=False)[
            "input_ids"
        ][-cfg.max_prompt_length :]
        for ex in examples
    ]
    completions = generator.generate(prompt_ids, cfg.num_generations)
    groups = []
    for index, (example, ids) in enumerate(zip(examples, prompt_ids, strict=True)):
        own = completions[index * cfg.num_generations : (index + 1) * cfg.num_generations]
        texts = [tokenizer.decode(c.token_ids, skip_special_tokens=True) for c in own]
        groups.append(Group(example, ids, own, texts))
    return groups


def grade_groups(groups: list[Group], cfg: GRPOConfig, client: RewardClient) -> None:
    items = [
        group.example.reward_item(text, len(completion.token_ids))
        for group in groups
        for completion, text in zip(group.completions, group.texts, strict=True)
    ]
    results = iter(
        client.grade(items, recipe=cfg.recipe, weights=cfg.weights, timeout_s=cfg.reward_timeout_s)
    )
    for group in groups:
        graded = [next(results) for _ in group.completions]
        group.rewards = [result.reward for result in graded]
        group.components = [result.components for result in graded]


def collect_groups(
    cfg: GRPOConfig,
    sampler: PromptSampler,
    tokenizer: Any,
    generator: Generator,
    client: RewardClient,
) -> tuple[list[Group], list[Group], int]:
    """(groups to train on, every group sampled, sampling rounds).

    With dynamic sampling, groups whose rewards are all equal are dropped and more prompts are
    sampled, for up to `dynamic_sampling_max_rounds` rounds, to refill the batch (DAPO §3.2).
    """
    kept: list[Group] = []
    sampled: list[Group] = []
    rounds = cfg.dynamic_sampling_max_rounds if cfg.dynamic_sampling else 1
    for round_number in range(1, rounds + 1):
        groups = sample_groups(
            sampler.draw(cfg.prompts_per_step - len(kept)), cfg, tokenizer, generator
        )
        grade_groups(groups, cfg, client)
        sampled.extend(groups)
        if not cfg.dynamic_sampling:
            return groups, sampled, round_number
        kept.extend(
            g for g in groups if bool(groups_with_signal(g.reward_tensor(), len(g.rewards)))
        )
        if len(kept) == cfg.prompts_per_step:
            break
    return kept, sampled, round_number


# ---- the batch ----------------------------------------------------------------------------------


def build_batch(groups: list[Group], cfg: GRPOConfig, pad_id: int) -> Batch:
    rewards = torch.cat([g.reward_tensor() for g in groups])
    advantages = group_advantages(rewards, cfg.num_generations, cfg.scale_rewards)  # type: ignore[arg-type]
    rows = [(g.prompt_ids, c) for g in groups for c in g.completions]
    prompt_width = max(len(prompt) for prompt, _ in rows)
    completion_width = max(len(c.token_ids) for _, c in rows)
    count = len(rows)
    input_ids = torch.full((count, prompt_width + completion_width), pad_id, dtype=torch.long)
    attention_mask = torch.zeros_like(input_ids)
    completion_mask = torch.zeros((count, completion_width))
    for row, (prompt, completion) in enumerate(rows):
        input_ids[row, prompt_width - len(prompt) : prompt_width] = torch.tensor(prompt)
        attention_mask[row, prompt_width - len(prompt) : prompt_width] = 1
        length = len(completion.token_ids)
        input_ids[row, prompt_width : prompt_width + length] = torch.tensor(completion.token_ids)
        attention_mask[row, prompt_width : prompt_width + length] = 1
        # Ungraded completions teach nothing, and truncated ones may be masked out (DAPO's
        # overlong filtering): a cut-off answer is not known to be wrong.
        ungraded = bool(rewards[row].isnan())
        masked_truncation = cfg.mask_truncated_completions and not completion.finished
        if not (ungraded or masked_truncation):
            completion_mask[row, :length] = 1
    return Batch(input_ids, attention_mask, completion_mask, advantages, completion_width)


@torch.no_grad()
def batch_log_probs(model: Any, batch: Batch, cfg: GRPOConfig) -> torch.Tensor:
    device = next(model.parameters()).device
    parts = []
    for start in range(0, len(batch.advantages), cfg.micro_batch_size):
        rows = batch.rows(start, start + cfg.micro_batch_size)
        parts.append(
            completion_log_probs(
                model,
                rows["input_ids"].to(device),
                rows["attention_mask"].to(device),
                batch.completion_length,
                cfg.temperature,
            ).cpu()
        )
    return torch.cat(parts)


def optimize(
    model: Any,
    ref_model: Any | None,
    batch: Batch,
    cfg: GRPOConfig,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> dict[str, float]:
    """μ optimizer steps on one generated batch; returns the token-weighted loss statistics."""
    device = next(model.parameters()).device
    # With μ = 1 the policy that sampled is the one being updated: ρ = 1 and π_old is just
    # π_θ detached. With μ > 1 it must be frozen before the first update.
    old_logp = batch_log_probs(model, batch, cfg) if cfg.num_iterations > 1 else None
    ref_logp = batch_log_probs(ref_model, batch, cfg) if cfg.beta != 0.0 else None
    weights = token_weights(
        batch.completion_mask,
        cfg.loss_type,  # type: ignore[arg-type]
        max_completion_length=cfg.max_completion_length,
        micro_batch_size=cfg.micro_batch_size,
    )
    totals = {"loss": 0.0, "kl": 0.0, "clip_ratio/low": 0.0, "clip_ratio/high": 0.0}
    totals["clip_ratio/region"] = 0.0
    tokens_seen = 0
    grad_norms = []
    for _ in range(cfg.num_iterations):
        optimizer.zero_grad(set_to_none=True)
        for start in range(0, len(batch.advantages), cfg.micro_batch_size):
            stop = start + cfg.micro_batch_size
            rows = batch.rows(start, stop)
            logp = completion_log_probs(
                model,
                rows["input_ids"].to(device),
                rows["attention_mask"].to(device),
                batch.completion_length,
                cfg.temperature,
            )
            loss, stats = grpo_loss(
                logp,
                old_logp[start:stop].to(device) if old_logp is not None else logp.detach(),
                batch.advantages[start:stop].to(device),
                weights[start:stop].to(device),
                epsilon=cfg.epsilon,
                epsilon_high=cfg.clip_high,
                beta=cfg.beta,
                ref_logp=ref_logp[start:stop].to(device) if ref_logp is not None else None,
            )
            loss.backward()
            totals["loss"] += loss.item() / cfg.num_iterations
            totals["kl"] += stats.kl * stats.tokens
            totals["clip_ratio/low"] += stats.clip_low * stats.tokens
            totals["clip_ratio/high"] += stats.clip_high * stats.tokens
            totals["clip_ratio/region"] += stats.clip_region * stats.tokens
            tokens_seen += stats.tokens
        max_norm = cfg.max_grad_norm if cfg.max_grad_norm > 0 else float("inf")
        grad_norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)))
        optimizer.step()
        scheduler.step()
    for name in ("kl", "clip_ratio/low", "clip_ratio/high", "clip_ratio/region"):
        totals[name] /= max(tokens_seen, 1)
    totals["grad_norm"] = sum(grad_norms) / len(grad_norms)
    return totals


# ---- metrics ------------------------------------------------------------------------------------


def rollout_metrics(sampled: list[Group], kept: list[Group], rounds: int) -> dict[str, Any]:
    rewards = [r for g in sampled for r in g.rewards]
    metrics: dict[str, Any] = {}
    metrics["reward/mean"], metrics["reward/std"] = mean_std(rewards)
    names = sorted({name for g in sampled for comps in g.components for name in comps})
    for name in names:
        values = [comps.get(name) for g in sampled for comps in g.components]
        metrics[f"reward/{name}/mean"], metrics[f"reward/{name}/std"] = mean_std(values)
    signal = [bool(groups_with_signal(g.reward_tensor(), len(g.rewards))) for g in sampled]
    metrics["frac_reward_zero_std"] = 1.0 - sum(signal) / len(signal)
    metrics["ungraded"] = sum(r is None for r in rewards)
    lengths = [len(c.token_ids) for g in sampled for c in g.completions]
    finished = [len(c.token_ids) for g in sampled for c in g.completions if c.finished]
    metrics["completions/mean_length"] = sum(lengths) / len(lengths)
    metrics["completions/min_length"] = min(lengths)
    metrics["completions/max_length"] = max(lengths)
    metrics["completions/mean_terminated_length"] = (
        sum(finished) / len(finished) if finished else None
    )
    metrics["completions/clipped_ratio"] = 1.0 - len(finished) / len(lengths)
    metrics["groups/kept"] = len(kept)
    metrics["groups/sampling_rounds"] = rounds
    return metrics


# ---- the loop -----------------------------------------------------------------------------------


def _resume_directory(cfg: GRPOConfig) -> Path | None:
    if cfg.resume is None:
        return None
    directory = latest_checkpoint(cfg.output_dir) if cfg.resume == "latest" else Path(cfg.resume)
    if directory is None or not directory.is_dir():
        raise FileNotFoundError(
            f"--resume {cfg.resume}: no checkpoint found (looked in {cfg.output_dir}/checkpoints)"
        )
    return directory


def _progress_bar(cfg: GRPOConfig, done: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=cfg.steps, initial=done, desc="GRPO", unit="step", disable=not cfg.progress)


@dataclass
class Run:
    """Everything a training run holds between steps."""

    model: Any
    ref_model: Any | None
    tokenizer: Any
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    sampler: PromptSampler
    generator: Generator
    client: RewardClient
    progress: Progress

    def save(self, cfg: GRPOConfig) -> Path:
        directory = save_checkpoint(
            step_directory(cfg.output_dir, self.progress.step),
            model=self.model,
            tokenizer=self.tokenizer,
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            progress=self.progress,
        )
        prune_checkpoints(cfg.output_dir, max(cfg.keep_checkpoints, 1))
        return directory


def start_run(cfg: GRPOConfig) -> Run:
    """Loads the policy (from the checkpoint when resuming), the reference model when β ≠ 0,
    the optimizer, the prompts and the service client."""
    resume_from = _resume_directory(cfg)
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    device = _device(cfg.device)
    policy_path = str(resume_from) if resume_from else cfg.model
    model = load_model(policy_path, cfg.dtype, device)
    model.train()
    tokenizer = load_tokenizer(policy_path)
    # No reference model without a KL term: it would only cost memory.
    ref_model = None
    if cfg.beta != 0.0:
        ref_model = load_model(cfg.model, cfg.dtype, device).eval().requires_grad_(False)

    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=cfg.learning_rate,
        betas=cfg.adam_betas,
        weight_decay=cfg.weight_decay,
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / (cfg.warmup_steps + 1))
    )
    progress = Progress(step=0, prompts_drawn=0)
    if resume_from is not None:
        progress = read_progress(resume_from)
        restore_training_state(resume_from, optimizer, scheduler)
        log.info("resumed from %s at step %d", resume_from, progress.step)

    examples = records_to_examples(
        read_records(cfg.data),
        prompt_field=cfg.prompt_field,
        answer_field=cfg.answer_field,
        reference_field=cfg.reference_field,
    )
    client = RewardClient(
        cfg.reward_url,
        timeout_s=cfg.reward_timeout_s,
        retry=RetryPolicy(max_retries=cfg.reward_retries),
    )
    return Run(
        model=model,
        ref_model=ref_model,
        tokenizer=tokenizer,
        optimizer=optimizer,
        scheduler=scheduler,
        sampler=PromptSampler(examples, cfg.seed, drawn=progress.prompts_drawn),
        generator=make_generator(cfg, model, tokenizer, policy_path),
        client=client,
        progress=progress,
    )


def grpo_step(cfg: GRPOConfig, run: Run) -> tuple[dict[str, Any], list[Group]]:
    """Sample and grade, then learn from the groups that carry a signal.

    Returns the step's metrics and every group sampled."""
    started = time.perf_counter()
    kept, sampled, rounds = collect_groups(
        cfg, run.sampler, run.tokenizer, run.generator, run.client
    )
    sampled_at = time.perf_counter()
    metrics = rollout_metrics(sampled, kept, rounds)
    batch = build_batch(kept, cfg, run.tokenizer.pad_token_id) if kept else None
    if batch is not None and batch.completion_mask.sum() > 0:
        metrics |= optimize(run.model, run.ref_model, batch, cfg, run.optimizer, run.scheduler)
        metrics["skipped"] = 0
        # The next samples must come from the updated policy (a no-op for the HF backend).
        run.generator.load_weights(run.model)
    else:
        metrics["skipped"] = 1  # nothing to learn from: no group had a reward signal
    finished_at = time.perf_counter()
    metrics["learning_rate"] = run.scheduler.get_last_lr()[0]
    metrics["time/sampling_and_grading_s"] = sampled_at - started
    metrics["time/optimization_s"] = finished_at - sampled_at
    metrics["time/step_s"] = finished_at - started
    run.progress = Progress(step=run.progress.step + 1, prompts_drawn=run.sampler.drawn)
    return metrics, sampled


def sample_record(group: Group) -> dict[str, Any]:
    """One group as text, so that a run can be read as well as plotted."""
    return {
        "prompt": group.example.question,
        "reference": group.example.reference,
        "completions": [
            {"text": text, "reward": reward, "finished": completion.finished}
            for text, reward, completion in zip(
                group.texts, group.rewards, group.completions, strict=True
            )
        ],
    }


def train(cfg: GRPOConfig) -> Path:
    """Runs GRPO as configured; returns the directory of the final checkpoint."""
    cfg.validate()
    output_dir = Path(cfg.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    run = start_run(cfg)
    (output_dir / "config.yaml").write_text(_config_yaml(cfg))
    metrics_log = MetricsLog(
        output_dir, tensorboard=cfg.tensorboard, resume_after_step=run.progress.step
    )
    bar = _progress_bar(cfg, run.progress.step)
    recipe_recorded = False
    try:
        while run.progress.step < cfg.steps:
            metrics, sampled = grpo_step(cfg, run)
            step = run.progress.step
            metrics_log.log(step, metrics)
            metrics_log.log_samples(step, sample_record(sampled[0]))
            if not recipe_recorded and run.client.last_recipe is not None:
                # What the service actually weighted, next to what was asked for.
                (output_dir / RECIPE_FILE).write_text(json.dumps(run.client.last_recipe) + "\n")
                log.info("rewards: %s", run.client.last_recipe)
                recipe_recorded = True
            if cfg.save_every and step % cfg.save_every == 0 and step != cfg.steps:
                run.save(cfg)
            bar.update(1)
            reward = metrics["reward/mean"]
            bar.set_postfix(reward="-" if reward is None else f"{reward:.3f}")
    finally:
        bar.close()
        metrics_log.close()
        run.client.close()
    final = run.save(cfg)
    if cfg.plot:
        plot_reward_curve(metrics_log.path, output_dir / PLOT_FILE)
    return final


def _config_yaml(cfg: GRPOConfig) -> str:
    import yaml

    values = cfg.to_dict()
    values["adam_betas"] = list(values["adam_betas"])
    return yaml.safe_dump(values, sort_keys=False)
