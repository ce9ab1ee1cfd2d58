"""GRPO with rewards from a rewardd service: `python -m trainer_client.grpo --help`."""

from trainer_client.grpo.config import GRPOConfig, parse_config
from trainer_client.grpo.trainer import train

__all__ = ["GRPOConfig", "parse_config", "train"]
