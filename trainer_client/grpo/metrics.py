"""Per-step metrics: a JSONL file (one object per step), TensorBoard, and a reward-curve PNG."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

METRICS_FILE = "metrics.jsonl"
SAMPLES_FILE = "samples.jsonl"
PLOT_FILE = "reward_curve.png"


def mean_std(values: Sequence[float | None]) -> tuple[float | None, float | None]:
    """Mean and (population) std of the values that are not None/NaN; None when there are none."""
    present = [v for v in values if v is not None and not math.isnan(v)]
    if not present:
        return None, None
    mean = sum(present) / len(present)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in present) / len(present))


class MetricsLog:
    """Appends each step's metrics to metrics.jsonl and TensorBoard, and a sample of its
    completions to samples.jsonl, under `output_dir`."""

    def __init__(self, output_dir: Path, *, tensorboard: bool, resume_after_step: int = 0) -> None:
        output_dir.mkdir(parents=True, exist_ok=True)
        self.path = output_dir / METRICS_FILE
        self.samples_path = output_dir / SAMPLES_FILE
        for path in (self.path, self.samples_path):
            # A resumed run rewrites the steps after its checkpoint and keeps those before;
            # a new run starts afresh.
            kept = [row for row in read_metrics(path) if row["step"] <= resume_after_step]
            path.write_text("".join(json.dumps(row) + "\n" for row in kept))
        self.writer = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(log_dir=str(output_dir / "tensorboard"))

    def log(self, step: int, metrics: dict[str, Any]) -> None:
        _append(self.path, {"step": step, **metrics})
        if self.writer is not None:
            for name, value in metrics.items():
                if isinstance(value, int | float):
                    self.writer.add_scalar(name, value, step)

    def log_samples(self, step: int, record: dict[str, Any]) -> None:
        _append(self.samples_path, {"step": step, **record})

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _append(path: Path, row: dict[str, Any]) -> None:
    with path.open("a") as out:
        out.write(json.dumps(row) + "\n")


def read_metrics(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def plot_reward_curve(metrics_path: Path, out_path: Path) -> Path | None:
    """The mean reward per step, with its ±std band and a moving average."""
    rows = [row for row in read_metrics(metrics_path) if row.get("reward/mean") is not None]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [row["step"] for row in rows]
    means = [row["reward/mean"] for row in rows]
    stds = [row.get("reward/std") or 0.0 for row in rows]
    window = max(1, len(means) // 10)
    smoothed = [
        sum(means[max(0, i - window + 1) : i + 1]) / len(means[max(0, i - window + 1) : i + 1])
        for i in range(len(means))
    ]
    figure, axes = plt.subplots(figsize=(8, 4.5))
    axes.fill_between(
        steps,
        [m - s for m, s in zip(means, stds, strict=True)],
        [m + s for m, s in zip(means, stds, strict=True)],
        alpha=0.15,
        label="± std",
    )
    axes.plot(steps, means, alpha=0.5, label="mean reward")
    axes.plot(steps, smoothed, linewidth=2, label=f"moving average ({window} steps)")
    axes.set_xlabel("step")
    axes.set_ylabel("reward")
    axes.set_title("GRPO reward")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(out_path, dpi=100)
    plt.close(figure)
    return out_path
