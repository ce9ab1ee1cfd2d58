"""Trainer-side code for rewardd: an HTTP client, a GRPO trainer, and adapters for TRL, verl and
OpenRLHF. It talks to the service only over HTTP and never imports `rewardd`."""

from trainer_client.client import RewardClient, RewardResult, RewardServiceError

__all__ = ["RewardClient", "RewardResult", "RewardServiceError"]
