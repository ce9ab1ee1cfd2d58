"""Group-relative advantages (DeepSeekMath §4.1.2) and the group filters of DAPO.

Rewards arrive flat, `num_prompts * group_size` long, grouped by prompt. An ungraded item has a
NaN reward: it takes no part in its group's statistics and gets advantage 0.
"""

from __future__ import annotations

from typing import Literal

import torch

ScaleRewards = Literal["group", "batch", "none"]

# Added to the std so that a group with nearly equal rewards does not blow up; TRL's choice.
STD_EPSILON = 1e-4


def _nan_std(values: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """Sample standard deviation (Bessel-corrected, as torch.std) that ignores NaNs."""
    valid = ~values.isnan()
    count = valid.sum() if dim is None else valid.sum(dim=dim, keepdim=True)
    mean = values.nanmean() if dim is None else values.nanmean(dim=dim, keepdim=True)
    squared = torch.where(valid, (values - mean) ** 2, torch.zeros_like(values))
    total = squared.sum() if dim is None else squared.sum(dim=dim, keepdim=True)
    return (total / (count - 1)).sqrt()  # NaN when fewer than two valid values


def group_advantages(
    rewards: torch.Tensor, group_size: int, scale_rewards: ScaleRewards = "group"
) -> torch.Tensor:
    """Â_i = (r_i − mean(r_group)) / (std + ε), with std taken over the group, the whole batch,
    or not at all (Dr. GRPO's "none", which removes the difficulty bias of per-group scaling)."""
    grouped = rewards.view(-1, group_size)
    advantages = grouped - grouped.nanmean(dim=1, keepdim=True)
    if scale_rewards == "group":
        advantages = advantages / (_nan_std(grouped, dim=1) + STD_EPSILON)
    elif scale_rewards == "batch":
        advantages = advantages / (_nan_std(rewards) + STD_EPSILON)
    elif scale_rewards != "none":
        raise ValueError(f"scale_rewards must be group, batch or none, not {scale_rewards!r}")
    return advantages.nan_to_num(nan=0.0).view(-1)


def groups_with_signal(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    """Per group: True when its graded rewards are not all equal.

    A group whose rewards are all equal has zero advantage everywhere and teaches nothing; DAPO's
    dynamic sampling drops it. A group with fewer than two graded items has no signal either.
    """
    grouped = rewards.view(-1, group_size)
    valid = ~grouped.isnan()
    high = torch.where(valid, grouped, torch.full_like(grouped, -torch.inf)).amax(dim=1)
    low = torch.where(valid, grouped, torch.full_like(grouped, torch.inf)).amin(dim=1)
    return (valid.sum(dim=1) >= 2) & (high - low > 1e-8)
