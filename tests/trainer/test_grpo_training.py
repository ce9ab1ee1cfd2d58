"""`python -m trainer_client.grpo` end to end, on a CPU, against a real `rewardd serve`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.trainer.conftest import REPO, subprocess_env
from trainer_client.grpo.toy import write_toy

pytestmark = pytest.mark.slow


def run_trainer(config: Path, url: str, *flags: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "trainer_client.grpo", "--config", str(config), *flags],
        capture_output=True,
        text=True,
        env=subprocess_env(REWARDD_URL=url),
        cwd=REPO,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def metrics(run_dir: Path, name: str = "metrics.jsonl") -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / name).read_text().splitlines()]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_grpo_learns_toy_addition_on_cpu(rewardd_url: str, toy_dir: Path) -> None:
    started = time.monotonic()
    run_trainer(toy_dir / "config.yaml", rewardd_url, "--no-progress")
    wall_s = time.monotonic() - started
    run_dir = toy_dir / "run"
    rows = metrics(run_dir)
    assert [row["step"] for row in rows] == list(range(1, 41))

    rewards = [row["reward/mean"] for row in rows]
    first, last = mean(rewards[:5]), mean(rewards[-5:])
    print(f"\nmean reward: first 5 steps {first:.3f}, last 5 steps {last:.3f}; {wall_s:.0f} s")
    assert last >= first + 0.1, rewards

    for name in (
        "reward/std",
        "reward/accuracy/mean",
        "reward/accuracy/std",
        "reward/format/mean",
        "frac_reward_zero_std",
        "kl",
        "clip_ratio/low",
        "clip_ratio/high",
        "clip_ratio/region",
        "completions/mean_length",
        "completions/clipped_ratio",
        "time/step_s",
        "loss",
        "grad_norm",
    ):
        assert name in rows[-1], name
    assert list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    samples = metrics(run_dir, "samples.jsonl")
    assert [row["step"] for row in samples] == list(range(1, 41))
    assert len(samples[-1]["completions"]) == 8
    recipe = json.loads((run_dir / "reward_recipe.json").read_text())
    assert recipe["weights"] == {"accuracy": 1.0, "format": 0.3}  # the r1-zero recipe
    assert (run_dir / "reward_curve.png").read_bytes().startswith(b"\x89PNG")

    # The final checkpoint loads as a user would load any model.
    from transformers import AutoModelForCausalLM, AutoTokenizer

    final = run_dir / "checkpoints" / "step-000040"
    assert AutoModelForCausalLM.from_pretrained(final).config.num_hidden_layers == 2
    assert AutoTokenizer.from_pretrained(final).decode([3]) == "<think>"


def test_a_resumed_run_continues_exactly_where_it_stopped(rewardd_url: str, tmp_path: Path) -> None:
    """Stop after 2 steps, resume to 4, and compare with an uninterrupted 4-step run: same
    prompts, same samples, same rewards (the RNG, optimizer and prompt order are restored)."""
    options = {
        "steps": 4,
        # Enough samples that some earn a reward in 4 steps (a group with equal rewards has
        # no advantage, and a policy that never moves has no KL to its reference).
        "prompts_per_step": 8,
        "num_generations": 8,
        "num_iterations": 2,
        "beta": 0.04,
        "plot": False,
        "tensorboard": False,
        "progress": False,
    }
    straight = write_toy(tmp_path / "straight", **options)
    run_trainer(straight, rewardd_url)

    stopped = write_toy(tmp_path / "stopped", **options)
    run_trainer(stopped, rewardd_url, "--steps", "2")
    assert (tmp_path / "stopped" / "run" / "checkpoints" / "step-000002").is_dir()
    run_trainer(stopped, rewardd_url, "--resume", "latest")

    expected = metrics(tmp_path / "straight" / "run")
    resumed = metrics(tmp_path / "stopped" / "run")
    assert [row["step"] for row in resumed] == [1, 2, 3, 4]
    for name in ("reward/mean", "completions/mean_length", "kl"):
        assert [row[name] for row in resumed] == pytest.approx(
            [row[name] for row in expected], abs=1e-6
        ), name
    # The reference model was loaded and used (beta > 0).
    rewards_and_kl = [(row["reward/mean"], row["kl"]) for row in resumed]
    assert resumed[-1]["kl"] > 0, rewards_and_kl
    straight_samples = metrics(tmp_path / "straight" / "run", "samples.jsonl")
    assert metrics(tmp_path / "stopped" / "run", "samples.jsonl") == straight_samples


def test_dynamic_sampling_and_dr_grpo_options_run(rewardd_url: str, tmp_path: Path) -> None:
    config = write_toy(
        tmp_path,
        steps=3,
        loss_type="dr_grpo",
        scale_rewards="none",
        dynamic_sampling=True,
        dynamic_sampling_max_rounds=2,
        mask_truncated_completions=True,
        epsilon_high=0.28,
        plot=False,
        tensorboard=False,
        progress=False,
    )
    run_trainer(config, rewardd_url)
    rows = metrics(tmp_path / "run")
    assert len(rows) == 3
    for row in rows:
        assert 1 <= row["groups/sampling_rounds"] <= 2
        assert row["groups/kept"] <= 8
        assert row["skipped"] == (1 if row["groups/kept"] == 0 else 0)


def test_a_missing_service_is_reported_clearly(tmp_path: Path) -> None:
    from tests.conftest import free_port

    config = write_toy(tmp_path, steps=1, progress=False, reward_retries=1)
    result = subprocess.run(
        [sys.executable, "-m", "trainer_client.grpo", "--config", str(config)],
        capture_output=True,
        text=True,
        env=subprocess_env(REWARDD_URL=f"http://127.0.0.1:{free_port()}"),
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 1
    assert (
        "stayed unavailable after 2 attempts" in result.stderr and "rewardd serve" in result.stderr
    )
