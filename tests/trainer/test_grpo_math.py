"""The GRPO formulas against values computed by hand."""

from __future__ import annotations

import math

import pytest
import torch

from trainer_client.grpo.advantages import STD_EPSILON, group_advantages, groups_with_signal
from trainer_client.grpo.loss import grpo_loss, k3_kl, token_weights

NAN = float("nan")


def close(actual: torch.Tensor, expected: list[float]) -> None:
    assert torch.allclose(actual, torch.tensor(expected, dtype=actual.dtype), atol=1e-5), actual


# ---- advantages ---------------------------------------------------------------------------------

REWARDS = torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0])


def test_group_scaling_divides_by_each_groups_std() -> None:
    # group 1: mean 0.25, sample std 0.5; group 2: mean 0.5, sample std sqrt(1/3)
    s1, s2 = 0.5 + STD_EPSILON, math.sqrt(1 / 3) + STD_EPSILON
    close(
        group_advantages(REWARDS, 4, "group"),
        [0.75 / s1, -0.25 / s1, -0.25 / s1, -0.25 / s1, 0.5 / s2, 0.5 / s2, -0.5 / s2, -0.5 / s2],
    )


def test_batch_scaling_divides_by_the_std_of_the_whole_batch() -> None:
    # mean of all 8 is 3/8; sum of squares 3 * 0.625² + 5 * 0.375² = 1.875; sample std √(1.875/7)
    s = math.sqrt(1.875 / 7) + STD_EPSILON
    close(
        group_advantages(REWARDS, 4, "batch"),
        [0.75 / s, -0.25 / s, -0.25 / s, -0.25 / s, 0.5 / s, 0.5 / s, -0.5 / s, -0.5 / s],
    )


def test_no_scaling_keeps_the_centred_rewards() -> None:
    close(group_advantages(REWARDS, 4, "none"), [0.75, -0.25, -0.25, -0.25, 0.5, 0.5, -0.5, -0.5])


def test_ungraded_rewards_are_left_out_and_get_zero_advantage() -> None:
    # graded: 1, 0, 0 -> mean 1/3, sample std sqrt((4/9 + 1/9 + 1/9) / 2) = sqrt(1/3)
    s = math.sqrt(1 / 3) + STD_EPSILON
    close(
        group_advantages(torch.tensor([1.0, NAN, 0.0, 0.0]), 4, "group"),
        [(2 / 3) / s, 0.0, (-1 / 3) / s, (-1 / 3) / s],
    )


def test_equal_rewards_give_zero_advantage_not_nan() -> None:
    close(group_advantages(torch.tensor([0.5, 0.5, 0.5, 0.5]), 4, "group"), [0, 0, 0, 0])


def test_groups_with_signal_finds_groups_whose_rewards_differ() -> None:
    rewards = torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0, 1.0, NAN, 0.0, 1.0, NAN, NAN, NAN])
    assert groups_with_signal(rewards, 4).tolist() == [False, True, False]


def test_unknown_scaling_is_refused() -> None:
    with pytest.raises(ValueError, match="scale_rewards"):
        group_advantages(REWARDS, 4, "median")  # type: ignore[arg-type]


# ---- token weights per loss type ----------------------------------------------------------------

# Two completions of 3 and 1 tokens; with ρ = 1 the token loss is −Â: −2 on row 0, +1 on row 1.
MASK = torch.tensor([[1.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
ADVANTAGES = torch.tensor([2.0, -1.0])
LOGP = torch.log(torch.full((2, 4), 0.5))


def loss_for(loss_type: str, micro_batch_size: int = 2, max_len: int = 4) -> float:
    weights = token_weights(
        MASK, loss_type, max_completion_length=max_len, micro_batch_size=micro_batch_size
    )  # type: ignore[arg-type]
    loss, _ = grpo_loss(LOGP, LOGP, ADVANTAGES, weights, epsilon=0.2, epsilon_high=0.2)
    return float(loss)


def test_grpo_averages_each_completion_then_the_completions() -> None:
    assert loss_for("grpo") == pytest.approx(((-2 * 3) / 3 + 1 / 1) / 2)  # -0.5


def test_bnpo_averages_over_the_tokens_of_the_micro_batch() -> None:
    assert loss_for("bnpo") == pytest.approx((-6 + 1) / 4)  # -1.25
    # one completion per micro-batch: the mean of the micro-batch means
    assert loss_for("bnpo", micro_batch_size=1) == pytest.approx((-6 / 3 + 1 / 1) / 2)


def test_dr_grpo_divides_by_a_constant() -> None:
    assert loss_for("dr_grpo", max_len=4) == pytest.approx((-6 + 1) / (2 * 4))  # -0.625
    assert loss_for("dr_grpo", max_len=10) == pytest.approx((-6 + 1) / (2 * 10))


def test_dapo_averages_over_every_token_of_the_batch_whatever_the_split() -> None:
    assert loss_for("dapo") == pytest.approx(-1.25)
    assert loss_for("dapo", micro_batch_size=1) == pytest.approx(-1.25)


def test_micro_batch_losses_add_up_to_the_batch_loss() -> None:
    for loss_type in ("grpo", "dr_grpo", "dapo", "bnpo"):
        weights = token_weights(MASK, loss_type, max_completion_length=4, micro_batch_size=1)  # type: ignore[arg-type]
        parts = [
            grpo_loss(
                LOGP[i : i + 1],
                LOGP[i : i + 1],
                ADVANTAGES[i : i + 1],
                weights[i : i + 1],
                epsilon=0.2,
                epsilon_high=0.2,
            )[0]
            for i in range(2)
        ]
        assert float(sum(parts)) == pytest.approx(loss_for(loss_type, micro_batch_size=1))


def test_unknown_loss_type_is_refused() -> None:
    with pytest.raises(ValueError, match="loss_type"):
        token_weights(MASK, "ppo", max_completion_length=4, micro_batch_size=2)  # type: ignore[arg-type]


# ---- clipping -----------------------------------------------------------------------------------


def one_token(ratio: float, advantage: float, eps: float = 0.2, eps_high: float = 0.28) -> tuple:
    old = torch.log(torch.tensor([[0.4]]))
    logp = (old + math.log(ratio)).requires_grad_(True)
    loss, stats = grpo_loss(
        logp, old, torch.tensor([advantage]), torch.ones(1, 1), epsilon=eps, epsilon_high=eps_high
    )
    loss.backward()
    assert logp.grad is not None
    return loss.item(), float(logp.grad), stats


def test_a_ratio_above_one_plus_epsilon_high_is_clipped_for_a_positive_advantage() -> None:
    loss, grad, stats = one_token(1.5, +1.0)
    assert loss == pytest.approx(-1.28)  # −min(1.5, 1.28)
    assert grad == 0.0  # clipped: no gradient
    assert (stats.clip_high, stats.clip_low, stats.clip_region) == (1.0, 0.0, 1.0)


def test_clipping_is_pessimistic_for_a_negative_advantage() -> None:
    loss, grad, stats = one_token(1.5, -1.0)
    assert loss == pytest.approx(1.5)  # −min(−1.5, −1.28): the unclipped, worse value
    assert grad == pytest.approx(1.5)  # d(ρ·1)/d log π = ρ
    assert stats.clip_high == 0.0


def test_a_ratio_below_one_minus_epsilon_is_clipped_for_a_negative_advantage() -> None:
    loss, grad, stats = one_token(0.5, -1.0)
    assert loss == pytest.approx(0.8)  # −min(−0.5, −0.8)
    assert grad == 0.0
    assert (stats.clip_low, stats.clip_high) == (1.0, 0.0)


def test_epsilon_high_widens_only_the_upper_bound() -> None:
    assert one_token(1.25, +1.0, eps_high=0.2)[0] == pytest.approx(-1.2)
    assert one_token(1.25, +1.0, eps_high=0.28)[0] == pytest.approx(-1.25)


# ---- KL -----------------------------------------------------------------------------------------


def test_k3_kl_matches_its_formula_and_is_zero_at_equality() -> None:
    logp, ref = torch.log(torch.tensor([0.5, 0.3])), torch.log(torch.tensor([0.25, 0.3]))
    # r = π_ref/π = 0.5: 0.5 − log 0.5 − 1
    close(k3_kl(logp, ref), [0.5 - math.log(0.5) - 1, 0.0])


def test_beta_adds_the_kl_penalty_to_each_token() -> None:
    logp = torch.log(torch.tensor([[0.5]]))
    ref = torch.log(torch.tensor([[0.25]]))
    loss, stats = grpo_loss(
        logp,
        logp,
        torch.tensor([1.0]),
        torch.ones(1, 1),
        epsilon=0.2,
        epsilon_high=0.2,
        beta=0.1,
        ref_logp=ref,
    )
    kl = 0.5 - math.log(0.5) - 1
    assert float(loss) == pytest.approx(-1.0 + 0.1 * kl)
    assert stats.kl == pytest.approx(kl)


def test_beta_without_reference_log_probs_is_refused() -> None:
    with pytest.raises(ValueError, match="reference"):
        grpo_loss(LOGP, LOGP, ADVANTAGES, MASK, epsilon=0.2, epsilon_high=0.2, beta=0.1)
