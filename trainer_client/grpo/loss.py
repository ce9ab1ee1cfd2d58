"""The GRPO objective, token by token.

For completion o_i of prompt q, token t, with ρ = π_θ(o_it | q, o_i<t) / π_old(o_it | q, o_i<t):

    ℓ_it = −min(ρ · Â_i, clip(ρ, 1 − ε_low, 1 + ε_high) · Â_i) + β · KL_it
    KL_it = π_ref/π_θ − log(π_ref/π_θ) − 1                      (Schulman's k3 estimator)
    L     = Σ_it w_it · ℓ_it

The loss types differ only in the token weights w_it (N completions, |o_i| tokens each, T tokens
in the batch, L_max the completion length limit, M micro-batches):

    grpo     w = 1 / (N · |o_i|)        mean over tokens of a completion, then over completions
    bnpo     w = 1 / (M · T_micro)      mean over the tokens of each micro-batch
    dr_grpo  w = 1 / (N · L_max)        a constant: no length bias (Dr. GRPO)
    dapo     w = 1 / T                  mean over all tokens of the batch (DAPO's token-level loss)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

LossType = Literal["grpo", "bnpo", "dr_grpo", "dapo"]
LOSS_TYPES: tuple[str, ...] = ("grpo", "bnpo", "dr_grpo", "dapo")


def token_weights(
    mask: torch.Tensor,
    loss_type: LossType,
    *,
    max_completion_length: int,
    micro_batch_size: int,
) -> torch.Tensor:
    """w_it for every completion token of the batch (zero where `mask` is 0).

    Weights are fixed for the whole batch before it is split into micro-batches, so that summing
    the micro-batch losses gives the loss of the whole batch whatever the split.
    """
    mask = mask.float()
    num_completions = mask.shape[0]
    if loss_type == "grpo":
        lengths = mask.sum(dim=1, keepdim=True).clamp(min=1.0)
        return mask / (num_completions * lengths)
    if loss_type == "bnpo":
        weights = torch.zeros_like(mask)
        micro_batches = range(0, num_completions, micro_batch_size)
        for start in micro_batches:
            part = mask[start : start + micro_batch_size]
            weights[start : start + micro_batch_size] = part / part.sum().clamp(min=1.0)
        return weights / len(micro_batches)
    if loss_type == "dr_grpo":
        return mask / (num_completions * max_completion_length)
    if loss_type == "dapo":
        return mask / mask.sum().clamp(min=1.0)
    raise ValueError(f"loss_type must be one of {', '.join(LOSS_TYPES)}, not {loss_type!r}")


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Per-token KL(π_θ ‖ π_ref), estimated as r − log r − 1 with r = π_ref / π_θ: unbiased,
    always ≥ 0, and low-variance (http://joschu.net/blog/kl-approx.html)."""
    log_ratio = ref_logp - logp
    return torch.exp(log_ratio) - log_ratio - 1


@dataclass(frozen=True)
class LossStats:
    """Token means over the completion tokens of a micro-batch, for logging."""

    kl: float
    clip_low: float  # ρ < 1 − ε_low where Â < 0: the update was cut off going down
    clip_high: float  # ρ > 1 + ε_high where Â > 0: the update was cut off going up
    clip_region: float  # ρ outside the trust region at all
    tokens: int


def grpo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    weights: torch.Tensor,
    *,
    epsilon: float,
    epsilon_high: float,
    beta: float = 0.0,
    ref_logp: torch.Tensor | None = None,
) -> tuple[torch.Tensor, LossStats]:
    """L = Σ w · ℓ for one (micro-)batch. Shapes: [B, T] per token, `advantages` [B]."""
    advantage = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    clipped_ratio = torch.clamp(ratio, 1 - epsilon, 1 + epsilon_high)
    per_token_loss = -torch.min(ratio * advantage, clipped_ratio * advantage)
    kl = torch.zeros_like(logp)
    if beta != 0.0:
        if ref_logp is None:
            raise ValueError("beta != 0 needs the reference model's log-probabilities")
        kl = k3_kl(logp, ref_logp)
        per_token_loss = per_token_loss + beta * kl
    loss = (weights * per_token_loss).sum()

    with torch.no_grad():
        counted = weights > 0
        tokens = int(counted.sum())

        def token_mean(values: torch.Tensor) -> float:
            return float(values[counted].float().mean()) if tokens else 0.0

        stats = LossStats(
            kl=token_mean(kl),
            clip_low=token_mean((ratio < 1 - epsilon) & (advantage < 0)),
            clip_high=token_mean((ratio > 1 + epsilon_high) & (advantage > 0)),
            clip_region=token_mean((ratio < 1 - epsilon) | (ratio > 1 + epsilon_high)),
            tokens=tokens,
        )
    return loss, stats


def completion_log_probs(
    model: torch.nn.Module,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    completion_length: int,
    temperature: float = 1.0,
) -> torch.Tensor:
    """log π(o_t | q, o_<t) for the last `completion_length` positions of each row.

    Rows are [left-padded prompt | right-padded completion]. Position ids count real tokens only,
    as generation does, so the padding does not shift the positions. Logits are divided by the
    sampling temperature so that the probabilities are those of the distribution sampled from.
    """
    position_ids = (attention_mask.cumsum(dim=1) - 1).clamp(min=0)
    logits = model(
        input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids
    ).logits
    # The logits at position p predict token p + 1.
    logits = logits[:, -completion_length - 1 : -1, :].float() / temperature
    targets = input_ids[:, -completion_length:]
    return torch.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
